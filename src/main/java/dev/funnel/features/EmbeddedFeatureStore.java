package dev.funnel.features;

import dev.funnel.events.EventsResult;
import dev.funnel.events.UserEvent;
import io.vertx.core.Future;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The feature store inside this process: a concurrent map of the same {@link UserProfileCodec}
 * bytes that Redis holds, so both stores return identical profiles. It lets {@code ./funnel demo}
 * run with only a JDK; its content lives and dies with the process. Thread-safe; every method
 * completes synchronously. Event batches are applied under one lock, so they are atomic and
 * isolated from each other as in Redis.
 */
public final class EmbeddedFeatureStore implements FeatureStore {
  private final ConcurrentHashMap<String, byte[]> values = new ConcurrentHashMap<>();
  private final long eventIdTtlNanos;
  // Applied event id -> when it is forgotten (System.nanoTime()), oldest first; guarded by this.
  private final LinkedHashMap<String, Long> appliedIds = new LinkedHashMap<>();

  /** Remembers applied event ids for a day, like the Redis store's default. */
  public EmbeddedFeatureStore() {
    this(86_400);
  }

  public EmbeddedFeatureStore(int eventIdTtlSeconds) {
    this.eventIdTtlNanos = eventIdTtlSeconds * 1_000_000_000L;
  }

  @Override
  public Future<Optional<UserProfile>> get(String userId) {
    byte[] bytes = values.get(userId);
    if (bytes == null) {
      return Future.succeededFuture(Optional.empty());
    }
    try {
      return Future.succeededFuture(Optional.of(UserProfileCodec.decode(userId, bytes)));
    } catch (RuntimeException e) {
      return Future.failedFuture(
          new IllegalStateException("corrupt profile for user " + userId, e));
    }
  }

  @Override
  public Future<Void> putAll(Collection<UserProfile> profiles) {
    try {
      for (UserProfile p : profiles) {
        values.put(p.userId(), UserProfileCodec.encode(p));
      }
      return Future.succeededFuture();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  @Override
  public synchronized Future<EventsResult> applyEvents(List<UserEvent> events) {
    try {
      long now = System.nanoTime();
      for (Iterator<Long> it = appliedIds.values().iterator(); it.hasNext(); ) {
        if (it.next() - now > 0) {
          break; // insertion order = expiry order
        }
        it.remove();
      }
      Set<String> seen = new HashSet<>();
      for (UserEvent e : events) {
        if (appliedIds.containsKey(e.id())) {
          seen.add(e.id());
        }
      }
      List<UserEvent> fresh = EventApplier.fresh(events, seen);
      Map<String, List<UserEvent>> byUser = new LinkedHashMap<>();
      for (UserEvent e : fresh) {
        byUser.computeIfAbsent(e.userId(), k -> new java.util.ArrayList<>()).add(e);
      }
      // Compute everything first, then write: a corrupt profile fails the batch untouched.
      Map<String, byte[]> updated = new HashMap<>();
      for (Map.Entry<String, List<UserEvent>> u : byUser.entrySet()) {
        byte[] old = values.get(u.getKey());
        UserProfile before = old == null ? null : UserProfileCodec.decode(u.getKey(), old);
        updated.put(
            u.getKey(),
            UserProfileCodec.encode(EventApplier.apply(u.getKey(), before, u.getValue())));
      }
      values.putAll(updated);
      for (UserEvent e : fresh) {
        appliedIds.put(e.id(), now + eventIdTtlNanos);
      }
      return Future.succeededFuture(new EventsResult(fresh.size(), events.size() - fresh.size()));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  @Override
  public Future<Void> ping() {
    return Future.succeededFuture();
  }

  @Override
  public String kind() {
    return "embedded";
  }

  @Override
  public Future<List<String>> sampleUserIds(int n) {
    return Future.succeededFuture(values.keySet().stream().limit(Math.max(0, n)).toList());
  }

  /** Number of users stored. */
  public int size() {
    return values.size();
  }

  @Override
  public Future<Void> close() {
    values.clear();
    return Future.succeededFuture();
  }
}
