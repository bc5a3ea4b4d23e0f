package dev.funnel.features;

import dev.funnel.config.RedisConfig;
import dev.funnel.events.EventsResult;
import dev.funnel.events.UserEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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

  /**
   * Optimistic transactions that lost a race this many times in a row fail the batch. Between
   * attempts a random back-off (up to 2^attempt ms, at most 32) breaks the lock-step of batches
   * that keep aborting each other.
   */
  static final int MAX_TX_ATTEMPTS = 32;

  private final Vertx vertx;
  private final Redis redis;
  private final String prefix;
  private final String eventPrefix;
  private final int eventIdTtlSeconds;

  private RedisFeatureStore(
      Vertx vertx, Redis redis, String prefix, String eventPrefix, int eventIdTtlSeconds) {
    this.vertx = vertx;
    this.redis = redis;
    this.prefix = prefix;
    this.eventPrefix = eventPrefix;
    this.eventIdTtlSeconds = eventIdTtlSeconds;
  }

  /** A client for {@code config.url()}; connections are opened lazily on first use. */
  public static RedisFeatureStore create(Vertx vertx, RedisConfig config) {
    RedisOptions options =
        new RedisOptions()
            .setConnectionString(config.url())
            .setMaxPoolSize(config.poolSize())
            .setMaxPoolWaiting(config.poolMaxWaiting())
            .setMaxWaitingHandlers(config.maxWaitingHandlers());
    return new RedisFeatureStore(
        vertx,
        Redis.createClient(vertx, options),
        config.keyPrefix(),
        config.eventKeyPrefix(),
        config.eventIdTtlSeconds());
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

  /**
   * One optimistic transaction per batch, on a connection of its own (WATCH state is per
   * connection): WATCH every profile key and event-id key of the batch, MGET them, apply the new
   * events in Java (the profile is our binary codec, which Lua cannot decode), then MULTI, SET each
   * changed profile and each event-id marker (with the id TTL), EXEC. EXEC answers null when any
   * watched key changed since WATCH (a concurrent batch for the same user or id): then the whole
   * attempt is redone from the read. So a batch is applied entirely or not at all, never on a stale
   * profile, and an id is applied once.
   */
  @Override
  public Future<EventsResult> applyEvents(List<UserEvent> events) {
    if (events.isEmpty()) {
      return Future.succeededFuture(new EventsResult(0, 0));
    }
    List<String> users = events.stream().map(UserEvent::userId).distinct().toList();
    List<String> ids = events.stream().map(UserEvent::id).distinct().toList();
    return redis
        .connect()
        .compose(
            conn ->
                attempt(conn, events, users, ids, 1)
                    .eventually(() -> conn.close().recover(e -> Future.succeededFuture())));
  }

  private Future<EventsResult> attempt(
      RedisConnection conn, List<UserEvent> events, List<String> users, List<String> ids, int n) {
    Request watch = Request.cmd(Command.WATCH);
    Request mget = Request.cmd(Command.MGET);
    for (String u : users) {
      watch.arg(prefix + u);
      mget.arg(prefix + u);
    }
    for (String id : ids) {
      watch.arg(eventPrefix + id);
      mget.arg(eventPrefix + id);
    }
    return conn.send(watch)
        .compose(ok -> conn.send(mget))
        .compose(
            values -> {
              Set<String> seen = new HashSet<>();
              for (int i = 0; i < ids.size(); i++) {
                if (values.get(users.size() + i) != null) {
                  seen.add(ids.get(i));
                }
              }
              List<UserEvent> fresh = EventApplier.fresh(events, seen);
              EventsResult result = new EventsResult(fresh.size(), events.size() - fresh.size());
              if (fresh.isEmpty()) {
                return conn.send(Request.cmd(Command.UNWATCH)).map(result);
              }
              List<Request> tx;
              try {
                tx = transaction(fresh, users, values);
              } catch (RuntimeException e) {
                return conn.send(Request.cmd(Command.UNWATCH))
                    .transform(ar -> Future.failedFuture(e));
              }
              return conn.batch(tx)
                  .compose(
                      replies -> {
                        if (replies.get(replies.size() - 1) != null) {
                          return Future.succeededFuture(result);
                        }
                        if (n >= MAX_TX_ATTEMPTS) {
                          return Future.failedFuture(
                              new IllegalStateException(
                                  "event batch lost " + n + " optimistic transactions in a row"));
                        }
                        long backoff =
                            1
                                + java.util.concurrent.ThreadLocalRandom.current()
                                    .nextLong(Math.min(32, 1L << Math.min(n, 5)));
                        return vertx
                            .timer(backoff)
                            .compose(t -> attempt(conn, events, users, ids, n + 1));
                      });
            });
  }

  private List<Request> transaction(List<UserEvent> fresh, List<String> users, Response values) {
    Map<String, List<UserEvent>> byUser = new LinkedHashMap<>();
    for (UserEvent e : fresh) {
      byUser.computeIfAbsent(e.userId(), k -> new ArrayList<>()).add(e);
    }
    List<Request> tx = new ArrayList<>(byUser.size() + fresh.size() + 2);
    tx.add(Request.cmd(Command.MULTI));
    for (int i = 0; i < users.size(); i++) {
      String user = users.get(i);
      List<UserEvent> mine = byUser.get(user);
      if (mine == null) {
        continue;
      }
      Response old = values.get(i);
      UserProfile before;
      try {
        before = old == null ? null : UserProfileCodec.decode(user, old.toBuffer().getBytes());
      } catch (RuntimeException e) {
        throw new IllegalStateException("corrupt profile for user " + user, e);
      }
      UserProfile after = EventApplier.apply(user, before, mine);
      tx.add(
          Request.cmd(Command.SET)
              .arg(prefix + user)
              .arg(Buffer.buffer(UserProfileCodec.encode(after))));
    }
    for (UserEvent e : fresh) {
      tx.add(
          Request.cmd(Command.SET)
              .arg(eventPrefix + e.id())
              .arg(e.userId())
              .arg("EX")
              .arg(eventIdTtlSeconds));
    }
    tx.add(Request.cmd(Command.EXEC));
    return tx;
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
