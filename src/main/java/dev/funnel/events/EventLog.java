package dev.funnel.events;

import io.vertx.core.Future;
import java.util.List;

/**
 * A durable log that {@code POST /v1/events} appends to instead of writing the feature store itself
 * ({@code events.mode = kafka}); a consumer applies the log to the store later.
 */
public interface EventLog {

  /**
   * Appends a validated batch. Succeeds only once the log has durably acknowledged every event of
   * it; fails (never hangs: bounded by the log's timeout) when it did not, and then some events may
   * have been appended all the same, which is why consumers apply them idempotently by event id.
   */
  Future<Void> append(List<UserEvent> events);

  /** Flushes what is in flight and releases the connection. */
  Future<Void> close();
}
