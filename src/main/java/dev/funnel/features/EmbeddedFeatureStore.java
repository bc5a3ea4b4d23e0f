package dev.funnel.features;

import io.vertx.core.Future;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The feature store inside this process: a concurrent map of the same {@link UserProfileCodec}
 * bytes that Redis holds, so both stores return identical profiles. It lets {@code ./funnel demo}
 * run with only a JDK; its content lives and dies with the process. Thread-safe; every method
 * completes synchronously.
 */
public final class EmbeddedFeatureStore implements FeatureStore {
  private final ConcurrentHashMap<String, byte[]> values = new ConcurrentHashMap<>();

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
