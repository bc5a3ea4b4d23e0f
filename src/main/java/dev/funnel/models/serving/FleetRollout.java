package dev.funnel.models.serving;

import dev.funnel.config.FleetConfig;
import dev.funnel.config.FunnelConfig;
import dev.funnel.config.RedisConfig;
import dev.funnel.features.RedisClients;
import dev.funnel.metrics.FunnelMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica's side of a fleet rollout (docs/scale-out.md). Every {@code fleet.poll-ms}, and at
 * once when a message arrives on the nudge channel, it reads two Redis keys: {@code desired} (set
 * by {@code ./funnel rollout}) and {@code approved}. The canary's target is {@code desired}; every
 * other replica's target is {@code approved}, which only the canary writes, once it serves that
 * version. A replica whose target differs from what it serves loads it through {@link
 * ModelReloader#reload(String)} (load, build, validate, swap). A version that fails keeps the old
 * one serving and is not tried again until the key names another version. After each read the
 * replica reports itself in the hash {@code replicas} (version, target, state, error, since when it
 * serves that version) and in {@code funnel_model_rollout}.
 *
 * <p>Redis being down changes nothing here: the replica keeps its model and retries at the next
 * poll. Polling, not pub/sub, is what makes the rollout reliable; a missed message only delays it.
 */
public final class FleetRollout {
  private static final Logger LOG = LoggerFactory.getLogger(FleetRollout.class);
  private static final int MAX_ERROR_CHARS = 300;

  private final Vertx vertx;
  private final FleetConfig fleet;
  private final RedisConfig redisConfig;
  private final ModelHolder models;
  private final ModelReloader reloader;
  private final FunnelMetrics metrics;
  private final Redis redis;
  private final AtomicBoolean polling = new AtomicBoolean();
  private volatile boolean pollAgain;
  private volatile boolean closed;
  private volatile boolean subscribing;
  private volatile Redis subscriberClient;
  private volatile RedisConnection subscriber;
  private final long timer;
  // The last target that failed to load, and why; cleared when the target changes or serves.
  private volatile String failedVersion;
  private volatile String error;
  private volatile String state = "starting";
  private volatile String target;
  // When the version served now began serving (epoch ms): what a rollout's duration is read from.
  private volatile long servingSince = System.currentTimeMillis();

  private FleetRollout(
      Vertx vertx,
      FunnelConfig config,
      ModelHolder models,
      ModelReloader reloader,
      FunnelMetrics metrics) {
    this.vertx = vertx;
    this.fleet = config.fleet();
    this.redisConfig = config.redis();
    this.models = models;
    this.reloader = reloader;
    this.metrics = metrics;
    this.redis = Redis.createClient(vertx, RedisClients.options(redisConfig).setMaxPoolSize(2));
    this.timer = vertx.setPeriodic(1, fleet.pollMs(), id -> poll());
  }

  /** Starts polling at once; {@link #close()} stops it. */
  public static FleetRollout start(
      Vertx vertx,
      FunnelConfig config,
      ModelHolder models,
      ModelReloader reloader,
      FunnelMetrics metrics) {
    LOG.info(
        "fleet rollout: replica {} ({}), keys {}*",
        config.fleet().replicaId(),
        config.fleet().canary() ? "canary" : "follows the canary",
        config.fleet().keyPrefix());
    return new FleetRollout(vertx, config, models, reloader, metrics);
  }

  /**
   * The version a replica starting now should load (the canary's {@code desired}, the others'
   * {@code approved}), or null when none is set or Redis does not answer within {@code timeoutMs}.
   */
  public static String startupTarget(Vertx vertx, FunnelConfig config, long timeoutMs) {
    FleetConfig fleet = config.fleet();
    Redis client = Redis.createClient(vertx, RedisClients.options(config.redis()));
    try {
      Response r =
          client
              .send(
                  Request.cmd(Command.GET)
                      .arg(fleet.canary() ? fleet.desiredKey() : fleet.approvedKey()))
              .await(timeoutMs, TimeUnit.MILLISECONDS);
      String v = r == null ? null : r.toString();
      return FleetConfig.isName(v) ? v : null;
    } catch (Exception e) {
      LOG.warn("fleet rollout: cannot read the target version at start: {}", e.toString());
      return null;
    } finally {
      client.close();
    }
  }

  /** Reads the keys now (a nudge, or the timer). Never runs twice at once. */
  void poll() {
    if (closed) {
      return;
    }
    if (!polling.compareAndSet(false, true)) {
      pollAgain = true;
      return;
    }
    pollAgain = false;
    subscribe();
    // Two GETs, not one MGET: in a cluster the two keys live in different slots.
    Future<Response> desired = redis.send(Request.cmd(Command.GET).arg(fleet.desiredKey()));
    Future<Response> approved = redis.send(Request.cmd(Command.GET).arg(fleet.approvedKey()));
    Future.all(desired, approved)
        .compose(r -> act(text(desired.result()), text(approved.result())))
        .compose(v -> report())
        .onComplete(
            ar -> {
              if (ar.failed()) {
                LOG.debug("fleet rollout: poll failed: {}", ar.cause().toString());
              }
              polling.set(false);
              if (pollAgain && !closed) {
                vertx.runOnContext(v -> poll());
              }
            });
  }

  private Future<Void> act(String desired, String approved) {
    String current = models.current().version();
    String next = fleet.canary() ? desired : approved;
    target = next;
    if (next == null) {
      state = "current";
      return Future.succeededFuture();
    }
    if (!FleetConfig.isName(next)) {
      state = "failed";
      error = "'" + next + "' is not a model version name";
      return Future.succeededFuture();
    }
    if (next.equals(current)) {
      state = "current";
      failedVersion = null;
      error = null;
      // The canary approves what it serves: the others follow.
      return fleet.canary() && !next.equals(approved) ? approve(next) : Future.succeededFuture();
    }
    if (next.equals(failedVersion)) {
      state = "failed";
      return Future.succeededFuture();
    }
    state = "loading";
    LOG.info("fleet rollout: loading {} (serving {})", next, current);
    return reloader
        .reload(next)
        .<Void>map(
            r -> {
              servingSince = System.currentTimeMillis();
              failedVersion = null;
              error = null;
              state = "current";
              pollAgain = true; // the canary approves at the next read, at once
              return null;
            })
        .recover(
            e -> {
              if (e instanceof ModelReloader.BusyException) {
                return Future.succeededFuture(); // an admin reload runs: try again next poll
              }
              failedVersion = next;
              error = reason(e);
              state = "failed";
              LOG.warn("fleet rollout: {} rejected, {} keeps serving: {}", next, current, error);
              return Future.succeededFuture();
            });
  }

  private Future<Void> approve(String version) {
    LOG.info("fleet rollout: canary serves {}, approving it for the fleet", version);
    return redis
        .send(Request.cmd(Command.SET).arg(fleet.approvedKey()).arg(version))
        .compose(
            r -> redis.send(Request.cmd(Command.PUBLISH).arg(fleet.nudgeChannel()).arg(version)))
        .mapEmpty();
  }

  private Future<Void> report() {
    String version = models.current().version();
    metrics.rollout(fleet.replicaId(), target == null ? version : target, state);
    JsonObject me =
        new JsonObject()
            .put("version", version)
            .put("target", target)
            .put("state", state)
            .put("error", error)
            .put("canary", fleet.canary())
            .put("since", servingSince)
            .put("at", System.currentTimeMillis());
    return redis
        .send(
            Request.cmd(Command.HSET)
                .arg(fleet.replicasKey())
                .arg(fleet.replicaId())
                .arg(me.encode()))
        .mapEmpty();
  }

  // The nudge: a dedicated connection in subscribe mode; dropped on error and reopened by a poll.
  private void subscribe() {
    if (subscriber != null || subscribing || closed || !RedisClients.subscribes(redisConfig)) {
      return;
    }
    subscribing = true;
    Redis client = Redis.createClient(vertx, RedisClients.options(redisConfig).setMaxPoolSize(1));
    client
        .connect()
        .compose(
            conn -> {
              conn.handler(message -> poll());
              conn.exceptionHandler(e -> dropSubscriber(conn));
              conn.endHandler(v -> dropSubscriber(conn));
              return conn.send(Request.cmd(Command.SUBSCRIBE).arg(fleet.nudgeChannel())).map(conn);
            })
        .onComplete(
            ar -> {
              subscribing = false;
              if (ar.succeeded() && !closed) {
                subscriber = ar.result();
                subscriberClient = client;
              } else {
                if (ar.succeeded()) {
                  ar.result().close();
                }
                client.close();
              }
            });
  }

  private void dropSubscriber(RedisConnection conn) {
    if (subscriber == conn) {
      subscriber = null;
      Redis client = subscriberClient;
      subscriberClient = null;
      conn.close();
      if (client != null) {
        client.close();
      }
    }
  }

  /** The state this replica reports: current, loading, failed (for tests and logs). */
  public String state() {
    return state;
  }

  /** Stops polling and closes the Redis connections. Idempotent; never fails. */
  public Future<Void> close() {
    if (closed) {
      return Future.succeededFuture();
    }
    closed = true;
    vertx.cancelTimer(timer);
    RedisConnection conn = subscriber;
    if (conn != null) {
      dropSubscriber(conn);
    }
    redis.close();
    return Future.succeededFuture();
  }

  private static String text(Response r) {
    return r == null ? null : r.toString();
  }

  private static String reason(Throwable e) {
    Throwable root =
        e instanceof ModelReloader.RejectedException && e.getCause() != null ? e.getCause() : e;
    String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return m.length() <= MAX_ERROR_CHARS ? m : m.substring(0, MAX_ERROR_CHARS) + "…";
  }
}
