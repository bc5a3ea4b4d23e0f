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
import io.vertx.redis.client.RedisRole;
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
 * The feature store in Redis: one key per user holding the {@link UserProfileCodec} bytes, so a
 * request costs exactly one GET (key names: {@link RedisKeys}). Non-blocking (vertx-redis-client);
 * callbacks run on the calling Vert.x context. Thread-safe.
 *
 * <p>One Redis server, a Sentinel-watched master (the client asks the sentinels for the master and
 * follows failovers) or a Redis Cluster ({@link RedisConfig.Mode}). The pool is sized from {@link
 * RedisConfig} on purpose: the client's defaults (6 connections, 24 waiters) fail with "waiting
 * queue is full" under load.
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

  /**
   * Per-user transactions of one batch in flight at once in cluster mode: each holds a connection
   * to every node while it runs, so a few at a time leave the pool to the reads.
   */
  static final int CLUSTER_TX_PARALLELISM = 4;

  private final Vertx vertx;
  private final Redis redis;
  private final Redis reads;
  private final RedisKeys keys;
  private final int eventIdTtlSeconds;
  private final int waitReplicas;
  private final int waitTimeoutMs;
  // "redis://" or "rediss://user:pass@" of the first seed, for clients of single cluster nodes
  private final String seedScheme;

  private RedisFeatureStore(Vertx vertx, Redis redis, Redis reads, RedisConfig config) {
    this.vertx = vertx;
    this.redis = redis;
    this.reads = reads;
    this.keys =
        new RedisKeys(
            config.keyPrefix(), config.eventKeyPrefix(), config.mode() == RedisConfig.Mode.CLUSTER);
    this.eventIdTtlSeconds = config.eventIdTtlSeconds();
    this.waitReplicas = config.waitReplicas();
    this.waitTimeoutMs = config.waitTimeoutMs();
    this.seedScheme = config.endpoints().isEmpty() ? "" : schemeAndUser(config.endpoints().get(0));
  }

  /** A client for the configured Redis; connections are opened lazily on first use. */
  public static RedisFeatureStore create(Vertx vertx, RedisConfig config) {
    RedisOptions options = RedisClients.options(config);
    boolean replicaReads = config.readFrom() == RedisConfig.ReadFrom.REPLICA;
    Redis redis = Redis.createClient(vertx, options);
    Redis reads =
        config.mode() == RedisConfig.Mode.SENTINEL && replicaReads
            ? Redis.createClient(vertx, new RedisOptions(options).setRole(RedisRole.REPLICA))
            : redis;
    return new RedisFeatureStore(vertx, redis, reads, config);
  }

  @Override
  public Future<Optional<UserProfile>> get(String userId) {
    return reads
        .send(Request.cmd(Command.GET).arg(keys.profile(userId)))
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
              .arg(keys.profile(p.userId()))
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

  // One batch after the other: one batch is already a full pipeline, and this bounds memory. A
  // cluster client refuses a batch whose keys live on several nodes, so there each SET goes alone
  // (the client still pipelines them per node).
  private Future<Void> send(Future<Void> previous, List<Request> batch) {
    if (!keys.hashTagged()) {
      return previous.compose(v -> redis.batch(batch)).mapEmpty();
    }
    return previous.compose(v -> Future.all(batch.stream().map(redis::send).toList()).mapEmpty());
  }

  /**
   * SCANs the keys under the prefix (a bounded number of rounds of {@value #SCAN_COUNT} keys each,
   * so a huge or foreign-key-heavy database cannot keep the connection busy for long). A cluster
   * client sends each SCAN to any node, so a cursor could not continue: there every master is asked
   * in turn through a short-lived client of its own (the inspector's user picker is rare).
   */
  @Override
  public Future<List<String>> sampleUserIds(int n) {
    List<String> out = new ArrayList<>();
    if (!keys.hashTagged()) {
      return scan(reads, "0", n, out, SCAN_ROUNDS).map(v -> out);
    }
    return redis
        .send(Request.cmd(Command.CLUSTER).arg("SLOTS"))
        .compose(
            ranges -> {
              Set<String> masters = new java.util.LinkedHashSet<>();
              for (Response range : ranges) {
                Response master = range.get(2);
                masters.add(
                    seedScheme + master.get(0).toString() + ":" + master.get(1).toInteger());
              }
              Future<Void> chain = Future.succeededFuture();
              for (String url : masters) {
                chain = chain.compose(v -> scanNode(url, n, out));
              }
              return chain.map(v -> out);
            });
  }

  private Future<Void> scanNode(String url, int n, List<String> out) {
    if (out.size() >= n) {
      return Future.succeededFuture();
    }
    Redis node = Redis.createClient(vertx, new RedisOptions().setConnectionString(url));
    return scan(node, "0", n, out, SCAN_ROUNDS).eventually(node::close);
  }

  static final int SCAN_COUNT = 1000;
  static final int SCAN_ROUNDS = 20;

  private Future<Void> scan(Redis client, String cursor, int n, List<String> out, int roundsLeft) {
    if (out.size() >= n || roundsLeft == 0) {
      return Future.succeededFuture();
    }
    Request scan =
        Request.cmd(Command.SCAN)
            .arg(cursor)
            .arg("MATCH")
            .arg(keys.profilePattern())
            .arg("COUNT")
            .arg(SCAN_COUNT);
    return client
        .send(scan)
        .compose(
            r -> {
              for (Response key : r.get(1)) {
                if (out.size() < n) {
                  out.add(keys.userOf(key.toString()));
                }
              }
              String next = r.get(0).toString();
              return next.equals("0")
                  ? Future.succeededFuture()
                  : scan(client, next, n, out, roundsLeft - 1);
            });
  }

  /**
   * One optimistic transaction per batch (in cluster mode: per user of the batch, see below), on a
   * connection of its own (WATCH state is per connection): WATCH every profile key and event-id key
   * of the batch, MGET them, apply the new events in Java (the profile is our binary codec, which
   * Lua cannot decode), then MULTI, SET each changed profile and each event-id marker (with the id
   * TTL), EXEC. EXEC answers null when any watched key changed since WATCH (a concurrent batch for
   * the same user or id): then the whole attempt is redone from the read. So a batch is applied
   * entirely or not at all, never on a stale profile, and an id is applied once.
   *
   * <p>In cluster mode one user's keys share a slot but different users' do not, so each user's
   * events are their own transaction: a failure can leave some users applied and others not, and
   * the client's retry of the whole batch then counts the applied ones as duplicates.
   *
   * <p>With {@code redis.wait-replicas} > 0 each transaction is followed by WAIT on its connection;
   * fewer acknowledging replicas fail the batch (503), because a failover could lose it.
   */
  @Override
  public Future<EventsResult> applyEvents(List<UserEvent> events) {
    if (events.isEmpty()) {
      return Future.succeededFuture(new EventsResult(0, 0));
    }
    if (!keys.hashTagged()) {
      return applyGroup(events);
    }
    // An id repeated in the batch counts once whichever user it names, as in one transaction.
    List<UserEvent> firsts = EventApplier.fresh(events, Set.of());
    int repeats = events.size() - firsts.size();
    Map<String, List<UserEvent>> byUser = new LinkedHashMap<>();
    for (UserEvent e : firsts) {
      byUser.computeIfAbsent(e.userId(), k -> new ArrayList<>()).add(e);
    }
    List<List<UserEvent>> groups = new ArrayList<>(byUser.values());
    Future<EventsResult> chain = Future.succeededFuture(new EventsResult(0, repeats));
    for (int from = 0; from < groups.size(); from += CLUSTER_TX_PARALLELISM) {
      List<List<UserEvent>> wave =
          groups.subList(from, Math.min(groups.size(), from + CLUSTER_TX_PARALLELISM));
      chain =
          chain.compose(
              sum ->
                  Future.all(wave.stream().map(this::applyGroup).toList())
                      .map(
                          all -> {
                            EventsResult total = sum;
                            for (int i = 0; i < all.size(); i++) {
                              EventsResult r = all.resultAt(i);
                              total =
                                  new EventsResult(
                                      total.accepted() + r.accepted(),
                                      total.duplicates() + r.duplicates());
                            }
                            return total;
                          }));
    }
    return chain;
  }

  /** One optimistic transaction for {@code events} (all on one slot in cluster mode). */
  private Future<EventsResult> applyGroup(List<UserEvent> events) {
    List<String> users = events.stream().map(UserEvent::userId).distinct().toList();
    Map<String, String> idKeys = new LinkedHashMap<>();
    for (UserEvent e : events) {
      idKeys.putIfAbsent(e.id(), keys.event(e.userId(), e.id()));
    }
    return redis
        .connect()
        .compose(
            conn ->
                attempt(conn, events, users, idKeys, 1)
                    .eventually(() -> conn.close().recover(e -> Future.succeededFuture())));
  }

  private Future<EventsResult> attempt(
      RedisConnection conn,
      List<UserEvent> events,
      List<String> users,
      Map<String, String> idKeys,
      int n) {
    List<String> ids = new ArrayList<>(idKeys.keySet());
    Request watch = Request.cmd(Command.WATCH);
    Request mget = Request.cmd(Command.MGET);
    for (String u : users) {
      watch.arg(keys.profile(u));
      mget.arg(keys.profile(u));
    }
    for (String key : idKeys.values()) {
      watch.arg(key);
      mget.arg(key);
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
                return conn.send(Request.cmd(Command.UNWATCH))
                    .compose(ok -> replicated(conn, idKeys, events.get(0)))
                    .map(result);
              }
              List<Request> tx;
              try {
                tx = transaction(fresh, users, values, idKeys);
              } catch (RuntimeException e) {
                return conn.send(Request.cmd(Command.UNWATCH))
                    .transform(ar -> Future.failedFuture(e));
              }
              if (waitReplicas > 0) {
                tx.add(waitRequest());
              }
              return conn.batch(tx)
                  .compose(
                      replies -> {
                        int exec = replies.size() - (waitReplicas > 0 ? 2 : 1);
                        if (replies.get(exec) != null) {
                          return waitReplicas > 0
                              ? acknowledged(replies.get(exec + 1)).map(result)
                              : Future.succeededFuture(result);
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
                            .compose(t -> attempt(conn, events, users, idKeys, n + 1));
                      });
            });
  }

  /**
   * A batch that is all duplicates was applied by an earlier call, whose answer may have been a 503
   * because no replica had its writes yet. WAIT counts only this connection's writes, so rewrite
   * one marker as it is (same value, same TTL) and WAIT for that: replication is in order, so a
   * replica that has it has the earlier batch too. (The value written is the user id, as the first
   * write; {@code XX} never creates a marker.)
   */
  private Future<Void> replicated(
      RedisConnection conn, Map<String, String> idKeys, UserEvent applied) {
    if (waitReplicas == 0) {
      return Future.succeededFuture();
    }
    Request rewrite =
        Request.cmd(Command.SET)
            .arg(idKeys.get(applied.id()))
            .arg(applied.userId())
            .arg("XX")
            .arg("KEEPTTL");
    return conn.batch(List.of(rewrite, waitRequest())).compose(r -> acknowledged(r.get(1)));
  }

  private static String schemeAndUser(String url) {
    int at = url.lastIndexOf('@');
    return at >= 0 ? url.substring(0, at + 1) : url.substring(0, url.indexOf("://") + 3);
  }

  private Request waitRequest() {
    return Request.cmd(Command.WAIT).arg(waitReplicas).arg(waitTimeoutMs);
  }

  private Future<Void> acknowledged(Response waitReply) {
    int acks = waitReply.toInteger();
    return acks >= waitReplicas
        ? Future.succeededFuture()
        : Future.failedFuture(
            new ReplicaShortfallException(
                "event writes reached "
                    + acks
                    + " of "
                    + waitReplicas
                    + " replicas within "
                    + waitTimeoutMs
                    + " ms (WAIT); not acknowledged, a retry is safe"));
  }

  private List<Request> transaction(
      List<UserEvent> fresh, List<String> users, Response values, Map<String, String> idKeys) {
    Map<String, List<UserEvent>> byUser = new LinkedHashMap<>();
    for (UserEvent e : fresh) {
      byUser.computeIfAbsent(e.userId(), k -> new ArrayList<>()).add(e);
    }
    List<Request> tx = new ArrayList<>(byUser.size() + fresh.size() + 3);
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
              .arg(keys.profile(user))
              .arg(Buffer.buffer(UserProfileCodec.encode(after))));
    }
    for (UserEvent e : fresh) {
      tx.add(
          Request.cmd(Command.SET)
              .arg(idKeys.get(e.id()))
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
    return reads == redis ? redis.close() : Future.all(redis.close(), reads.close()).mapEmpty();
  }

  /** For tests: the raw value under a user's key (null when absent). */
  Future<Response> raw(String userId) {
    return redis.send(Request.cmd(Command.GET).arg(keys.profile(userId)));
  }
}
