package dev.funnel.api;

import dev.funnel.features.FeatureStore;
import dev.funnel.pipeline.RecommendPipeline;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /ready}: the local readiness a load balancer checks: the model is loaded, the index
 * built, the predictors warmed, and the server is not draining; 503 problem otherwise. It does not
 * ask Redis on purpose: a Redis outage would otherwise make every balancer eject every replica,
 * although each still answers (degraded). {@code GET /health}: the process answers (liveness,
 * always 200), with whether the feature store answers a ping as detail.
 */
final class HealthHandler {
  /** A ping slower than this reports the store as unreachable. */
  static final long STORE_PING_MS = 500;

  private final RecommendPipeline pipeline;
  private final FeatureStore store;
  private final BooleanSupplier draining;

  HealthHandler(RecommendPipeline pipeline, FeatureStore store, BooleanSupplier draining) {
    this.pipeline = pipeline;
    this.store = store;
    this.draining = draining;
  }

  void health(RoutingContext ctx) {
    JsonObject storeStatus = new JsonObject().put("kind", store.kind());
    store
        .ping()
        .timeout(STORE_PING_MS, TimeUnit.MILLISECONDS)
        .onComplete(
            ar ->
                ctx.response()
                    .putHeader("Content-Type", "application/json")
                    .putHeader("Cache-Control", "no-store")
                    .end(
                        new JsonObject()
                            .put("status", "UP")
                            .put("store", storeStatus.put("reachable", ar.succeeded()))
                            .toBuffer()));
  }

  void ready(RoutingContext ctx) {
    if (draining.getAsBoolean()) {
      throw new ApiException(503, "draining: this server is shutting down");
    }
    // The pipeline only exists once the model, index and warm predictors do.
    ctx.response()
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(
            new JsonObject()
                .put("status", "READY")
                .put("model", pipeline.model().version())
                .put("videos", pipeline.model().index().size())
                .put("store", store.kind())
                .toBuffer());
  }
}
