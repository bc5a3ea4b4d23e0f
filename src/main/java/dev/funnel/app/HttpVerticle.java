package dev.funnel.app;

import dev.funnel.api.ApiRouter;
import dev.funnel.config.FunnelConfig;
import dev.funnel.features.FeatureStore;
import dev.funnel.pipeline.RecommendPipeline;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

/**
 * One HTTP server on one event loop. Several instances listening on the same host and port share
 * the socket, and Vert.x spreads connections over their event loops.
 */
final class HttpVerticle extends VerticleBase {
  private final FunnelConfig config;
  private final int port;
  private final RecommendPipeline pipeline;
  private final FeatureStore store;
  private HttpServer server;

  HttpVerticle(FunnelConfig config, int port, RecommendPipeline pipeline, FeatureStore store) {
    this.config = config;
    this.port = port;
    this.pipeline = pipeline;
    this.store = store;
  }

  @Override
  public Future<?> start() {
    HttpServerOptions options =
        new HttpServerOptions().setHost(config.http().host()).setPort(port).setTcpNoDelay(true);
    server =
        vertx
            .createHttpServer(options)
            .requestHandler(ApiRouter.create(vertx, config, pipeline, store));
    return server.listen();
  }

  int actualPort() {
    return server.actualPort();
  }
}
