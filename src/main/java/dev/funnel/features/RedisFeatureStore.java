package dev.funnel.features;

import dev.funnel.config.RedisConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The feature store in Redis: one key {@code <prefix><userId>} per user holding the {@link
 * UserProfileCodec} bytes, so a request costs exactly one GET. Non-blocking (vertx-redis-client);
 * callbacks run on the calling Vert.x context. Thread-safe.
 *
 * <p>The pool is sized from {@link RedisConfig} on purpose: the client's defaults (6 connections,
 * 24 waiters) fail with "waiting queue is full" under load.
 */
public final class RedisFeatureStore implements FeatureStore {
  /**
   * SETs per pipelined batch: large enough to amortise round trips, small enough to bound memory.
   */
  static final int BATCH = 1000;

  private final Redis redis;
  private final String prefix;

  private RedisFeatureStore(Redis redis, String prefix) {
    this.redis = redis;
    this.prefix = prefix;
  }

  /** A client for {@code config.url()}; connections are opened lazily on first use. */
  public static RedisFeatureStore create(Vertx vertx, RedisConfig config) {
    RedisOptions options =
        new RedisOptions()
            .setConnectionString(config.url())
            .setMaxPoolSize(config.poolSize())
            .setMaxPoolWaiting(config.poolMaxWaiting())
            .setMaxWaitingHandlers(config.maxWaitingHandlers());
    return new RedisFeatureStore(Redis.createClient(vertx, options), config.keyPrefix());
  }

  @Override
  public Future<Optional<UserProfile>> get(String userId) {
    return redis
        .send(Request.cmd(Command.GET).arg(prefix + userId))
        .compose(
            response -> {
              if (response == null) {
                return Future.succeededFuture(Optional.empty());
              }
              try {
                return Future.succeededFuture(
                    Optional.of(UserProfileCodec.decode(userId, response.toBuffer().getBytes())));
              } catch (RuntimeException e) {
                return Future.failedFuture(
                    new IllegalStateException("corrupt profile for user " + userId, e));
              }
            });
  }

  @Override
  public Future<Void> putAll(Collection<UserProfile> profiles) {
    List<Request> batch = new ArrayList<>(Math.min(BATCH, profiles.size()));
    Future<Void> chain = Future.succeededFuture();
    for (UserProfile p : profiles) {
      batch.add(
          Request.cmd(Command.SET)
              .arg(prefix + p.userId())
              .arg(Buffer.buffer(UserProfileCodec.encode(p))));
      if (batch.size() == BATCH) {
        chain = send(chain, batch);
        batch = new ArrayList<>(BATCH);
      }
    }
    if (!batch.isEmpty()) {
      chain = send(chain, batch);
    }
    return chain;
  }

  // One batch after the other: one batch is already a full pipeline, and this bounds memory.
  private Future<Void> send(Future<Void> previous, List<Request> batch) {
    return previous.compose(v -> redis.batch(batch)).mapEmpty();
  }

  /**
   * SCANs the keys under the prefix (a bounded number of rounds of {@value #SCAN_COUNT} keys each,
   * so a huge or foreign-key-heavy database cannot keep the connection busy for long).
   */
  @Override
  public Future<List<String>> sampleUserIds(int n) {
    List<String> out = new ArrayList<>();
    return scan("0", n, out, SCAN_ROUNDS).map(v -> out);
  }

  static final int SCAN_COUNT = 1000;
  static final int SCAN_ROUNDS = 20;

  private Future<Void> scan(String cursor, int n, List<String> out, int roundsLeft) {
    if (out.size() >= n || roundsLeft == 0) {
      return Future.succeededFuture();
    }
    Request scan =
        Request.cmd(Command.SCAN)
            .arg(cursor)
            .arg("MATCH")
            .arg(globEscape(prefix) + "*")
            .arg("COUNT")
            .arg(SCAN_COUNT);
    return redis
        .send(scan)
        .compose(
            r -> {
              for (Response key : r.get(1)) {
                if (out.size() < n) {
                  out.add(key.toString().substring(prefix.length()));
                }
              }
              String next = r.get(0).toString();
              return next.equals("0")
                  ? Future.succeededFuture()
                  : scan(next, n, out, roundsLeft - 1);
            });
  }

  private static String globEscape(String s) {
    StringBuilder b = new StringBuilder(s.length() + 4);
    for (char c : s.toCharArray()) {
      if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
        b.append('\\');
      }
      b.append(c);
    }
    return b.toString();
  }

  @Override
  public Future<Void> ping() {
    return redis.send(Request.cmd(Command.PING)).mapEmpty();
  }

  @Override
  public String kind() {
    return "redis";
  }

  @Override
  public Future<Void> close() {
    return redis.close();
  }

  /** For tests: the raw value under a user's key (null when absent). */
  Future<Response> raw(String userId) {
    return redis.send(Request.cmd(Command.GET).arg(prefix + userId));
  }
}
