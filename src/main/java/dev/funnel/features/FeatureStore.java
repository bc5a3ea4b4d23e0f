package dev.funnel.features;

import dev.funnel.events.EventsResult;
import dev.funnel.events.UserEvent;
import io.vertx.core.Future;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The online feature store: one {@link UserProfile} per user, fetched in one round trip.
 *
 * <p>Implementations: Redis (non-blocking, vertx-redis-client) and an embedded in-process map for
 * the demo without Redis. Both store the {@link UserProfileCodec} bytes, so they hold the same
 * data. Methods never throw: failures are failed futures.
 */
public interface FeatureStore {

  /** The profile of a user, or empty when the store has none. */
  Future<Optional<UserProfile>> get(String userId);

  /** Writes (replaces) profiles in bulk, pipelined. */
  Future<Void> putAll(Collection<UserProfile> profiles);

  /**
   * Up to {@code n} ids of users the store holds, in no particular order: for people picking a user
   * to inspect, not for the request path. Stores that cannot list their users answer an empty list.
   */
  default Future<List<String>> sampleUserIds(int n) {
    return Future.succeededFuture(List.of());
  }

  /**
   * Applies a batch of events ({@link EventApplier}) to the profiles of their users, all or
   * nothing, and idempotently by event id: an event whose id was applied before (within the store's
   * id retention) or repeats an earlier id in the batch is counted as a duplicate and changes
   * nothing. Succeeds only once the store has durably acknowledged every change (for Redis: EXEC
   * answered); on failure nothing of the batch is applied, so the client may retry the whole batch.
   */
  Future<EventsResult> applyEvents(List<UserEvent> events);

  /** Succeeds when the store can serve reads now (for {@code /ready}). */
  Future<Void> ping();

  /** A short name for logs and {@code /ready}: {@code redis} or {@code embedded}. */
  String kind();

  Future<Void> close();
}
