package dev.funnel.app;

import dev.funnel.api.ApiRouter;
import dev.funnel.api.InvalidRequestHandler;
import dev.funnel.config.FunnelConfig;
import dev.funnel.events.EventLog;
import dev.funnel.features.FeatureStore;
import dev.funnel.metrics.FunnelMetrics;
import dev.funnel.models.serving.ModelReloader;
import dev.funnel.pipeline.RecommendPipeline;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One HTTP server on one event loop. Several instances listening on the same host and port share
 * the socket, and Vert.x spreads connections over their event loops.
 */
final class HttpVerticle extends VerticleBase {
  /** Longest request line (method, path, query, version) accepted; longer = 414. */
  static final int MAX_REQUEST_LINE = 4096;

  static final long DRAIN_SECONDS = 5;

  private final FunnelConfig config;
  private final int port;
  private final RecommendPipeline pipeline;
  private final FeatureStore store;
  private final FunnelMetrics metrics;
  private final ModelReloader reloader;
  private final BooleanSupplier draining;
  private final EventLog eventLog;
  private HttpServer server;

  HttpVerticle(
      FunnelConfig config,
      int port,
      RecommendPipeline pipeline,
      FeatureStore store,
      FunnelMetrics metrics,
      ModelReloader reloader,
      BooleanSupplier draining,
      EventLog eventLog) {
    this.config = config;
    this.port = port;
    this.pipeline = pipeline;
    this.store = store;
    this.metrics = metrics;
    this.reloader = reloader;
    this.draining = draining;
    this.eventLog = eventLog;
  }

  @Override
  public Future<?> start() {
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(config.http().host())
            .setPort(port)
            .setTcpNoDelay(true)
            .setMaxHeaderSize(config.http().maxHeaderBytes())
            .setMaxInitialLineLength(MAX_REQUEST_LINE);
    server =
        vertx
            .createHttpServer(options)
            .invalidRequestHandler(new InvalidRequestHandler())
            .requestHandler(
                ApiRouter.create(
                    vertx, config, pipeline, store, metrics, reloader, draining, eventLog));
    return server.listen();
  }

  /**
   * Graceful: stop accepting, let the requests already received finish (the pipeline's deadline
   * bounds them), then close what is left after {@link #DRAIN_SECONDS}.
   */
  @Override
  public Future<?> stop() {
    return server == null
        ? Future.succeededFuture()
        : server.shutdown(DRAIN_SECONDS, TimeUnit.SECONDS);
  }

  int actualPort() {
    return server.actualPort();
  }
}
