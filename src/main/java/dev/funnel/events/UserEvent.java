package dev.funnel.events;

import java.util.Objects;

/**
 * One nearline event reported by the frontend, already validated ({@code EventsBody}).
 *
 * @param id the client's unique id of the event: a retried event with the same id is applied once
 * @param type what happened
 * @param userId whose features change
 * @param video the watched or shown video (null for a search)
 * @param watchSeconds seconds watched (watch events; 0 when not reported)
 * @param query the search query (search events; null otherwise)
 * @param ts when it happened, epoch seconds
 */
public record UserEvent(
    String id, Type type, String userId, String video, double watchSeconds, String query, long ts) {

  public enum Type {
    WATCH,
    IMPRESSION,
    SEARCH
  }

  public UserEvent {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(userId, "userId");
    if (type == Type.SEARCH ? query == null : video == null) {
      throw new IllegalArgumentException(
          type + " event without its " + (type == Type.SEARCH ? "query" : "video"));
    }
  }

  public static UserEvent watch(String id, String user, String video, double seconds, long ts) {
    return new UserEvent(id, Type.WATCH, user, video, seconds, null, ts);
  }

  public static UserEvent impression(String id, String user, String video, long ts) {
    return new UserEvent(id, Type.IMPRESSION, user, video, 0, null, ts);
  }

  public static UserEvent search(String id, String user, String query, long ts) {
    return new UserEvent(id, Type.SEARCH, user, null, 0, query, ts);
  }
}
