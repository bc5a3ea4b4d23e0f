package dev.funnel.events.kafka;

import dev.funnel.events.UserEvent;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One event as a Kafka record value: the JSON object of the HTTP API ({@code id, type, user, video,
 * watch_seconds, query, ts}), so that a person reading the topic sees what was posted. The record
 * key is the user id (one user's events stay in one partition, in order).
 */
public final class EventRecords {
  private EventRecords() {}

  public static byte[] key(UserEvent e) {
    return e.userId().getBytes(StandardCharsets.UTF_8);
  }

  public static byte[] encode(UserEvent e) {
    JsonObject o =
        new JsonObject()
            .put("id", e.id())
            .put("type", e.type().name().toLowerCase(Locale.ROOT))
            .put("user", e.userId());
    if (e.video() != null) {
      o.put("video", e.video());
    }
    if (e.type() == UserEvent.Type.WATCH) {
      o.put("watch_seconds", e.watchSeconds());
    }
    if (e.query() != null) {
      o.put("query", e.query());
    }
    o.put("ts", e.ts());
    return o.toBuffer().getBytes();
  }

  /**
   * The event in a record value.
   *
   * @throws IllegalArgumentException when the value is not an event this class wrote (another
   *     producer's record, or a corrupt one)
   */
  public static UserEvent decode(byte[] value) {
    if (value == null) {
      throw new IllegalArgumentException("record without a value");
    }
    JsonObject o;
    try {
      o = new JsonObject(new String(value, StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("record value is not a JSON object", e);
    }
    try {
      UserEvent.Type type =
          UserEvent.Type.valueOf(o.getString("type", "").toUpperCase(Locale.ROOT));
      Number seconds = o.getNumber("watch_seconds", 0);
      Number ts = o.getNumber("ts");
      if (ts == null) {
        throw new IllegalArgumentException("record without ts");
      }
      return new UserEvent(
          o.getString("id"),
          type,
          o.getString("user"),
          o.getString("video"),
          seconds.doubleValue(),
          o.getString("query"),
          ts.longValue());
    } catch (ClassCastException | NullPointerException e) {
      throw new IllegalArgumentException("record value is not an event: " + e.getMessage(), e);
    }
  }
}
