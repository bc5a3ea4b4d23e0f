package dev.funnel.api;

import dev.funnel.events.UserEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses and validates the body of {@code POST /v1/events}:
 *
 * <pre>
 * {"events": [{"id", "type": "watch|impression|search", "user", "video"?, "watch_seconds"?,
 *              "query"?, "ts"}, ...]}
 * </pre>
 *
 * Strict, and all or nothing: one bad event rejects the batch with a 400 whose detail names it
 * ({@code events[3] (id 'e9'): ...}), so a client never has to guess which part was applied. {@code
 * video} is required for watch and impression and not allowed for search; {@code query} the other
 * way round; {@code watch_seconds} only on watch.
 */
final class EventsBody {
  static final int MAX_EVENTS = 1000;
  static final int MAX_QUERY_LENGTH = 256;
  static final double MAX_WATCH_SECONDS = 7 * 86_400;

  /** 2100-01-01: a timestamp beyond it is a unit mistake (milliseconds), not a date. */
  static final long MAX_TS = 4_102_444_800L;

  private static final Set<String> FIELDS =
      Set.of("id", "type", "user", "video", "watch_seconds", "query", "ts");

  private EventsBody() {}

  static List<UserEvent> parse(Buffer body) {
    if (body == null || body.length() == 0) {
      throw ApiException.badRequest("request body must be a JSON object");
    }
    Object decoded;
    try {
      decoded = Json.decodeValue(body);
    } catch (DecodeException e) {
      throw ApiException.badRequest("request body is not valid JSON");
    }
    if (!(decoded instanceof JsonObject json)) {
      throw ApiException.badRequest("request body must be a JSON object");
    }
    for (String name : json.fieldNames()) {
      if (!name.equals("events")) {
        throw ApiException.badRequest(
            "unknown field '" + Validation.truncate(name) + "' (allowed: events)");
      }
    }
    if (!(json.getValue("events") instanceof JsonArray array)) {
      throw ApiException.badRequest("events must be an array of event objects");
    }
    if (array.isEmpty() || array.size() > MAX_EVENTS) {
      throw ApiException.badRequest("events must hold 1 to " + MAX_EVENTS + " events");
    }
    List<UserEvent> events = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      events.add(event(array.getValue(i), i));
    }
    return events;
  }

  private static UserEvent event(Object value, int i) {
    String where = "events[" + i + "]";
    if (!(value instanceof JsonObject e)) {
      throw ApiException.badRequest(where + " must be an object");
    }
    Object rawId = e.getValue("id");
    if (!(rawId instanceof String id)) {
      throw ApiException.badRequest(where + ": id must be a string");
    }
    try {
      Validation.id(id, "id");
    } catch (ApiException bad) {
      throw ApiException.badRequest(where + ": " + bad.getMessage());
    }
    where = where + " (id '" + Validation.truncate(id) + "')";
    for (Map.Entry<String, Object> f : e) {
      if (!FIELDS.contains(f.getKey())) {
        throw ApiException.badRequest(
            where
                + ": unknown field '"
                + Validation.truncate(f.getKey())
                + "' (allowed: "
                + String.join(", ", FIELDS.stream().sorted().toList())
                + ")");
      }
    }
    try {
      UserEvent.Type type = type(e.getValue("type"));
      String user = Validation.id(string(e, "user", true), "user");
      long ts = ts(e.getValue("ts"));
      String video = string(e, "video", type != UserEvent.Type.SEARCH);
      if (type == UserEvent.Type.SEARCH && video != null) {
        throw ApiException.badRequest("video is not allowed on a search event");
      }
      if (video != null) {
        Validation.id(video, "video");
      }
      String query = string(e, "query", type == UserEvent.Type.SEARCH);
      if (type != UserEvent.Type.SEARCH && query != null) {
        throw ApiException.badRequest("query is only allowed on a search event");
      }
      if (query != null
          && (query.isBlank()
              || query.length() > MAX_QUERY_LENGTH
              || query.chars().anyMatch(Character::isISOControl))) {
        throw ApiException.badRequest(
            "query must be 1 to " + MAX_QUERY_LENGTH + " printable characters");
      }
      double seconds = 0;
      Object ws = e.getValue("watch_seconds");
      if (ws != null) {
        if (type != UserEvent.Type.WATCH) {
          throw ApiException.badRequest("watch_seconds is only allowed on a watch event");
        }
        if (!(ws instanceof Number n)
            || !Double.isFinite(n.doubleValue())
            || n.doubleValue() < 0
            || n.doubleValue() > MAX_WATCH_SECONDS) {
          throw ApiException.badRequest(
              "watch_seconds must be a number from 0 to " + (long) MAX_WATCH_SECONDS);
        }
        seconds = n.doubleValue();
      }
      return new UserEvent(id, type, user, video, seconds, query, ts);
    } catch (ApiException bad) {
      throw ApiException.badRequest(where + ": " + bad.getMessage());
    }
  }

  private static UserEvent.Type type(Object v) {
    if (v instanceof String s) {
      switch (s) {
        case "watch":
          return UserEvent.Type.WATCH;
        case "impression":
          return UserEvent.Type.IMPRESSION;
        case "search":
          return UserEvent.Type.SEARCH;
        default:
          break;
      }
    }
    throw ApiException.badRequest("type must be one of watch, impression, search");
  }

  private static String string(JsonObject e, String field, boolean required) {
    Object v = e.getValue(field);
    if (v == null) {
      if (required) {
        throw ApiException.badRequest(field + " is required");
      }
      return null;
    }
    if (!(v instanceof String s)) {
      throw ApiException.badRequest(field + " must be a string");
    }
    return s;
  }

  private static long ts(Object v) {
    if (!(v instanceof Integer || v instanceof Long)
        || ((Number) v).longValue() < 0
        || ((Number) v).longValue() > MAX_TS) {
      throw ApiException.badRequest("ts must be an integer of epoch seconds from 0 to " + MAX_TS);
    }
    return ((Number) v).longValue();
  }
}
