package dev.funnel.api;

import dev.funnel.pipeline.RecommendQuery;
import dev.funnel.pipeline.RequestContext;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parses and validates the body of {@code POST /v1/recommendations}:
 *
 * <pre>
 * {"user"?: id, "history"?: [video ids], "context"?: {"geo","language","gender","age","searches"?: [tokens]},
 *  "count"?: 1..max, "exclude"?: [video ids], "asOf"?: epoch seconds}
 * </pre>
 *
 * {@code asOf} is for replays of past requests (evaluation), not for live traffic: the request is
 * served as if made then.
 *
 * <p>Strict: unknown fields, wrong types and out-of-range values are 400s, so that a client's typo
 * is reported instead of silently ignored. Video ids that are well-formed but unknown to the model
 * are accepted and ignored (a frontend may know videos newer than the model).
 */
final class RecommendBody {
  static final int MAX_HISTORY = 500;
  // A replayed past request excludes all the user watched and every video not out yet.
  static final int MAX_EXCLUDE = 10_000;
  static final long MAX_AS_OF = 4_102_444_800L; // 2100-01-01
  static final int MAX_SEARCHES = 50;
  static final int MAX_TOKEN_LENGTH = 64;
  static final int MAX_AGE = 150;

  private static final Set<String> FIELDS =
      Set.of("user", "history", "context", "count", "exclude", "asOf");
  private static final Set<String> CONTEXT_FIELDS =
      Set.of("geo", "language", "gender", "age", "searches");

  private RecommendBody() {}

  static RecommendQuery parse(Buffer body, int defaultCount, int maxCount) {
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
    onlyFields(json, FIELDS, "");
    String user = optionalString(json, "user");
    if (user != null) {
      Validation.id(user, "user");
    }
    List<String> history = ids(json, "history", MAX_HISTORY);
    List<String> exclude = ids(json, "exclude", MAX_EXCLUDE);
    int count = defaultCount;
    Object c = json.getValue("count");
    if (c != null) {
      if (!(c instanceof Integer || c instanceof Long)) {
        throw ApiException.badRequest("count must be an integer from 1 to " + maxCount);
      }
      count = Validation.countInRange(((Number) c).longValue(), maxCount);
    }
    RequestContext context = context(json.getValue("context"));
    long asOf = 0;
    Object a = json.getValue("asOf");
    if (a != null) {
      if (!(a instanceof Integer || a instanceof Long)
          || ((Number) a).longValue() < 1
          || ((Number) a).longValue() > MAX_AS_OF) {
        throw ApiException.badRequest("asOf must be an integer from 1 to " + MAX_AS_OF);
      }
      asOf = ((Number) a).longValue();
    }
    return new RecommendQuery(user, history, context, count, exclude, null, asOf);
  }

  private static RequestContext context(Object value) {
    if (value == null) {
      return RequestContext.NONE;
    }
    if (!(value instanceof JsonObject ctx)) {
      throw ApiException.badRequest("context must be an object");
    }
    onlyFields(ctx, CONTEXT_FIELDS, "context.");
    String geo = code(ctx, "geo");
    String language = code(ctx, "language");
    String gender = optionalString(ctx, "gender", "context.gender");
    if (gender != null && !Set.of("f", "m", "u").contains(gender)) {
      throw ApiException.badRequest("context.gender must be one of f, m, u");
    }
    Integer age = null;
    Object a = ctx.getValue("age");
    if (a != null) {
      if (!(a instanceof Integer || a instanceof Long)
          || ((Number) a).longValue() < 0
          || ((Number) a).longValue() > MAX_AGE) {
        throw ApiException.badRequest("context.age must be an integer from 0 to " + MAX_AGE);
      }
      age = ((Number) a).intValue();
    }
    List<String> searches = null;
    Object s = ctx.getValue("searches");
    if (s != null) {
      JsonArray array = array(s, "context.searches", MAX_SEARCHES);
      searches = new ArrayList<>(array.size());
      for (Object token : array) {
        if (!(token instanceof String t) || t.isBlank() || t.length() > MAX_TOKEN_LENGTH) {
          throw ApiException.badRequest(
              "context.searches must hold non-blank strings of at most "
                  + MAX_TOKEN_LENGTH
                  + " characters");
        }
        searches.add(t.trim().toLowerCase(Locale.ROOT));
      }
    }
    return new RequestContext(geo, language, gender, age, searches);
  }

  /** geo and language: short printable codes. */
  private static String code(JsonObject ctx, String field) {
    String v = optionalString(ctx, field, "context." + field);
    if (v != null && (v.length() > 16 || !v.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f))) {
      throw ApiException.badRequest(
          "context." + field + " must be a code of at most 16 characters");
    }
    return v;
  }

  private static List<String> ids(JsonObject json, String field, int max) {
    Object value = json.getValue(field);
    if (value == null) {
      return List.of();
    }
    JsonArray array = array(value, field, max);
    List<String> ids = new ArrayList<>(array.size());
    for (Object id : array) {
      if (!(id instanceof String s)) {
        throw ApiException.badRequest(field + " must be an array of video id strings");
      }
      ids.add(Validation.id(s, field + " entry"));
    }
    return ids;
  }

  private static JsonArray array(Object value, String field, int max) {
    if (!(value instanceof JsonArray array)) {
      throw ApiException.badRequest(field + " must be an array");
    }
    if (array.size() > max) {
      throw ApiException.badRequest(field + " must have at most " + max + " entries");
    }
    return array;
  }

  private static String optionalString(JsonObject json, String field) {
    return optionalString(json, field, field);
  }

  private static String optionalString(JsonObject json, String field, String name) {
    Object v = json.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s)) {
      throw ApiException.badRequest(name + " must be a string");
    }
    return s;
  }

  private static void onlyFields(JsonObject json, Set<String> allowed, String prefix) {
    for (Map.Entry<String, Object> e : json) {
      if (!allowed.contains(e.getKey())) {
        throw ApiException.badRequest(
            "unknown field '"
                + prefix
                + Validation.truncate(e.getKey())
                + "' (allowed: "
                + String.join(", ", allowed.stream().sorted().toList())
                + ")");
      }
    }
  }
}
