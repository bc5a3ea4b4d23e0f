package dev.funnel.app;

import dev.funnel.config.FunnelConfig;
import dev.funnel.events.kafka.KafkaEvents;
import dev.funnel.features.FeatureStore;
import dev.funnel.features.GuardedFeatureStore;
import dev.funnel.metrics.FunnelMetrics;
import dev.funnel.models.ModelBundle;
import dev.funnel.models.serving.FleetRollout;
import dev.funnel.models.serving.ModelReloader;
import dev.funnel.models.serving.ServingModel;
import dev.funnel.pipeline.RecommendPipeline;
import dev.funnel.retrieval.VectorIndexes;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Funnel HTTP server inside a {@link Vertx}: the serving model (index, warmed
 * predictors), the inference worker pool and the HTTP verticles. Started in order (model, then
 * HTTP) and closed in reverse. The {@link Vertx}, the {@link ModelBundle} and the {@link
 * FeatureStore} belong to the caller and stay open after {@link #close()}.
 */
public final class FunnelServer {
  private static final Logger LOG = LoggerFactory.getLogger(FunnelServer.class);
  private static final AtomicInteger SERVERS = new AtomicInteger();

  private final Vertx vertx;
  private final WorkerExecutor workers;
  private final RecommendPipeline pipeline;
  private final GuardedFeatureStore guarded;
  private final FunnelMetrics metrics;
  private final ModelReloader reloader;
  private final AtomicBoolean draining;
  private final Wiring wiring;
  private final FleetRollout rollout;
  private final long drainDelayMs;
  private final List<String> deployments;
  private final String host;
  private final int port;

  private FunnelServer(
      Vertx vertx,
      WorkerExecutor workers,
      Wiring w,
      List<String> deployments,
      FunnelConfig config,
      int port,
      FleetRollout rollout) {
    this.vertx = vertx;
    this.rollout = rollout;
    this.workers = workers;
    this.pipeline = w.pipeline;
    this.guarded = w.guarded;
    this.metrics = w.metrics;
    this.reloader = w.reloader;
    this.draining = w.draining;
    this.wiring = w;
    this.drainDelayMs = config.http().drainDelayMs();
    this.deployments = deployments;
    this.host = config.http().host();
    this.port = port;
  }

  /**
   * Builds the index and the warmed predictors on the inference workers (never on an event loop),
   * then deploys {@code config.http().instances()} HTTP verticles on {@code config.http().port()}
   * (0 = a free port, see {@link #port()}). Fails (and releases what it made) when the model cannot
   * be served or the port cannot be bound.
   */
  public static Future<FunnelServer> start(
      Vertx vertx, FunnelConfig config, ModelBundle bundle, FeatureStore store) {
    int serial = SERVERS.incrementAndGet();
    WorkerExecutor workers =
        vertx.createSharedWorkerExecutor(
            "funnel-inference-" + serial, config.inference().workers(), 60, TimeUnit.SECONDS);
    return workers
        .executeBlocking(() -> compactOnce(ServingModel.build(bundle, config)), false)
        .compose(
            model -> {
              Wiring w = Wiring.of(vertx, config, store, model, workers);
              return warmUp(w.pipeline, store, model, config)
                  .compose(
                      v -> {
                        w.guarded.forgetFailures();
                        return startEvents(vertx, config, w);
                      })
                  .compose(v -> deployHttp(vertx, config, w, serial))
                  .map(
                      d ->
                          new FunnelServer(
                              vertx,
                              workers,
                              w,
                              d.ids,
                              config,
                              d.port,
                              config.fleet().enabled() && !config.redis().embedded()
                                  ? FleetRollout.start(
                                      vertx, config, w.pipeline.models(), w.reloader, w.metrics)
                                  : null))
                  .recover(
                      e -> {
                        w.guarded.closeBreaker();
                        return closeEvents(w)
                            .compose(v -> closeAll(workers, model))
                            .transform(v -> Future.failedFuture(e));
                      });
            },
            e -> workers.close().transform(v -> Future.failedFuture(e)))
        .onSuccess(
            s ->
                LOG.info(
                    "funnel serving model {} ({} videos, store {}) on {}",
                    s.modelVersion(),
                    s.pipeline.model().index().size(),
                    store.kind(),
                    s.url()));
  }

  /**
   * Loading a large model leaves its read buffers as garbage between the long-lived vectors and
   * graph in the old generation; G1 then spends the first minutes of serving on mixed collections
   * that copy those live regions (measured at RW-1M: 20–40 ms pauses every few seconds). One full,
   * compacting collection before the port opens costs about a second at start and no request. Only
   * under G1: ZGC relocates concurrently, and there the same call took 2–4 s of start-up.
   */
  private static ServingModel compactOnce(ServingModel model) {
    if (model.index().size() >= LARGE_MODEL_VIDEOS && runsOnG1()) {
      long t0 = System.nanoTime();
      System.gc();
      LOG.info("heap compacted after loading in {} ms", (System.nanoTime() - t0) / 1_000_000);
    }
    return model;
  }

  private static boolean runsOnG1() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .anyMatch(gc -> gc.getName().startsWith("G1"));
  }

  /**
   * A model this large (the size from which the ANN graph serves) gets the compaction and the long
   * warm-up; below it load garbage and the JIT's first minute do not matter.
   */
  static final int LARGE_MODEL_VIDEOS = VectorIndexes.AUTO_GRAPH_MIN_VIDEOS;

  /** Requests run through the pipeline before the port opens, for a model of that size. */
  static final int WARM_UP_REQUESTS = 12_000;

  // Keeps start-up to /ready within the 20 s aimed for at RW-1M (docs/benchmarks.md).
  static final long WARM_UP_BUDGET_MS = 12_000;

  /**
   * Below that size: enough requests for every path a first request takes, a few times per worker
   * (first Redis connections, class loading, first forwards with a real history), so that the first
   * answer after /ready is a full one; a fraction of a second on the test world.
   */
  static final int SMALL_WARM_UP_REQUESTS = 100;

  static final long SMALL_WARM_UP_BUDGET_MS = 5_000;

  // A large model's first minute otherwise pays for the JIT (StartupWarmUp); a small one gets a
  // short round so that its first answers are not degraded by first-time costs.
  private static Future<Void> warmUp(
      RecommendPipeline pipeline, FeatureStore store, ServingModel model, FunnelConfig config) {
    int workers = config.inference().workers();
    int lanes = workers > 0 ? workers : Runtime.getRuntime().availableProcessors();
    boolean large = model.index().size() >= LARGE_MODEL_VIDEOS;
    return StartupWarmUp.run(
            pipeline,
            store,
            large ? WARM_UP_REQUESTS : SMALL_WARM_UP_REQUESTS,
            lanes,
            large ? WARM_UP_BUDGET_MS : SMALL_WARM_UP_BUDGET_MS)
        .mapEmpty();
  }

  /**
   * In {@code events.mode = kafka}: the producer for {@code POST /v1/events} and the consumer that
   * applies the topic through the guarded store (the same idempotent path as direct mode).
   */
  private static Future<Void> startEvents(Vertx vertx, FunnelConfig config, Wiring w) {
    if (!config.events().kafka()) {
      return Future.succeededFuture();
    }
    return KafkaEvents.start(vertx, config.events(), w.guarded::applyEvents, w.metrics)
        .onSuccess(
            events -> {
              w.kafka.set(events);
              LOG.info("events through {}", config.events());
            })
        .mapEmpty();
  }

  private static Future<Void> closeEvents(Wiring w) {
    KafkaEvents events = w.kafka.getAndSet(null);
    return events == null ? Future.succeededFuture() : events.close();
  }

  private record Deployed(List<String> ids, int port) {}

  /**
   * What the HTTP verticles share: the store behind its breaker (the caller's store stays theirs),
   * the pipeline, this server's metrics registry and the model reloader.
   */
  private record Wiring(
      GuardedFeatureStore guarded,
      RecommendPipeline pipeline,
      FunnelMetrics metrics,
      ModelReloader reloader,
      AtomicBoolean draining,
      AtomicReference<KafkaEvents> kafka) {
    static Wiring of(
        Vertx vertx,
        FunnelConfig config,
        FeatureStore store,
        ServingModel model,
        WorkerExecutor workers) {
      GuardedFeatureStore guarded = new GuardedFeatureStore(vertx, store, config.redis());
      RecommendPipeline pipeline =
          new RecommendPipeline(
              guarded, model, workers, config.serving(), config.inference().maxPending());
      FunnelMetrics metrics = new FunnelMetrics();
      metrics.modelVersion(model.version());
      metrics.gauge(
          "funnel_inference_pending",
          "requests admitted and not answered yet (feature read, queued or on a worker)",
          pipeline,
          RecommendPipeline::pending);
      metrics.gauge(
          "funnel_inference_max_pending",
          "inference.max-pending: above it requests are shed",
          config.inference(),
          c -> c.maxPending());
      metrics.breakerOpen(
          () -> guarded.state() != io.vertx.circuitbreaker.CircuitBreakerState.CLOSED);
      return new Wiring(
          guarded,
          pipeline,
          metrics,
          new ModelReloader(vertx, config, pipeline.models(), metrics),
          new AtomicBoolean(),
          new AtomicReference<>());
    }
  }

  // Instances listening on one host:port share the socket. Port 0 would give each instance its
  // own random port; a negative port means "a random port shared by the servers that ask for this
  // same negative number", so each FunnelServer in a JVM gets a number of its own.
  private static Future<Deployed> deployHttp(
      Vertx vertx, FunnelConfig config, Wiring w, int serial) {
    int port = config.http().port() == 0 ? -serial : config.http().port();
    List<HttpVerticle> verticles = new java.util.concurrent.CopyOnWriteArrayList<>();
    return vertx
        .deployVerticle(
            () -> {
              HttpVerticle v =
                  new HttpVerticle(
                      config,
                      port,
                      w.pipeline,
                      w.guarded,
                      w.metrics,
                      w.reloader,
                      w.draining::get,
                      w.kafka.get() == null ? null : w.kafka.get().log());
              verticles.add(v);
              return v;
            },
            new DeploymentOptions().setInstances(config.http().instances()))
        .map(id -> new Deployed(List.of(id), verticles.get(0).actualPort()))
        .recover(
            e ->
                Future.failedFuture(
                    new IllegalStateException(
                        "cannot listen on "
                            + config.http().host()
                            + ":"
                            + config.http().port()
                            + ": "
                            + e.getMessage(),
                        e)));
  }

  /** The bound port (the real one when the configuration asked for 0). */
  public int port() {
    return port;
  }

  /** {@code http://host:port}. */
  public String url() {
    return "http://" + host + ":" + port;
  }

  public String modelVersion() {
    return pipeline.model().version();
  }

  /** This server's metrics registry. */
  public FunnelMetrics metrics() {
    return metrics;
  }

  /** Loads, validates and swaps in the model in {@code models.dir} (as the admin endpoint does). */
  public Future<ModelReloader.Result> reload() {
    return reloader.reload();
  }

  /**
   * The SIGTERM path: {@code /ready} answers 503 for {@code http.drain-delay-ms} while every
   * request is still served, so that load balancers see their checks fail and stop sending new
   * requests; then {@link #close()}. Never fails.
   */
  public Future<Void> shutdown() {
    draining.set(true);
    stopRollout();
    LOG.info(
        "draining: /ready answers 503 for {} ms, then the server stops accepting", drainDelayMs);
    // A promise bound to no context: vertx.timer() called from the shutdown hook's thread would
    // bind the whole chain to an event loop, and the caller's last step (closing Vert.x) would then
    // have no loop left to deliver its own completion on (the hook waited out its timeout).
    io.vertx.core.Promise<Void> notReady = io.vertx.core.Promise.promise();
    if (drainDelayMs == 0) {
      notReady.complete();
    } else {
      vertx.setTimer(drainDelayMs, id -> notReady.complete());
    }
    return notReady.future().compose(v -> close());
  }

  /** True once {@link #shutdown()} began: {@code /ready} answers 503. */
  public boolean draining() {
    return draining.get();
  }

  /**
   * Stops accepting requests, lets the requests already received finish (HTTP graceful shutdown,
   * then up to 5 s for the inference workers), then releases the workers and the models. Never
   * fails.
   */
  public Future<Void> close() {
    stopRollout();
    Future<Void> chain = Future.succeededFuture();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      chain = chain.compose(v -> vertx.undeploy(id)).recover(e -> Future.succeededFuture());
    }
    return chain
        // no request appends any more; the consumer stops before the store is released
        .compose(v -> closeEvents(wiring))
        .compose(v -> drained(System.nanoTime() + 5_000_000_000L))
        .compose(v -> workers.close().recover(e -> Future.succeededFuture()))
        .compose(v -> reloader.close())
        .andThen(ar -> guarded.closeBreaker());
  }

  // No model swap while shutting down.
  private void stopRollout() {
    if (rollout != null) {
      rollout.close();
    }
  }

  /** The Kafka producer and consumer in {@code events.mode = kafka}; null in direct mode. */
  public KafkaEvents kafkaEvents() {
    return wiring.kafka.get();
  }

  /** This replica's fleet rollout, or null when {@code fleet.replica-id} is empty. */
  public FleetRollout rollout() {
    return rollout;
  }

  // Predictors must not be closed under a running request.
  private Future<Void> drained(long until) {
    if (pipeline.pending() == 0 || System.nanoTime() > until) {
      return Future.succeededFuture();
    }
    return vertx.timer(10).compose(v -> drained(until));
  }

  private static Future<Void> closeAll(WorkerExecutor workers, ServingModel model) {
    return workers.close().recover(e -> Future.succeededFuture()).andThen(ar -> model.close());
  }
}
