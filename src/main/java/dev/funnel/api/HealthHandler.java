package dev.funnel.api;

import dev.funnel.features.FeatureStore;
import dev.funnel.pipeline.RecommendPipeline;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /health}: the process answers (liveness). {@code GET /ready}: the model is loaded, the
 * index built, the predictors warmed and the feature store answers a ping within a second
 * (readiness); 503 problem otherwise.
 */
final class HealthHandler {
  private final RecommendPipeline pipeline;
  private final FeatureStore store;

  HealthHandler(RecommendPipeline pipeline, FeatureStore store) {
    this.pipeline = pipeline;
    this.store = store;
  }

  void health(RoutingContext ctx) {
    ctx.response()
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(new JsonObject().put("status", "UP").toBuffer());
  }

  void ready(RoutingContext ctx) {
    // The pipeline only exists once the model, index and warm predictors do.
    JsonObject body =
        new JsonObject()
            .put("model", pipeline.model().version())
            .put("videos", pipeline.model().index().size())
            .put("store", store.kind());
    store
        .ping()
        .timeout(1, TimeUnit.SECONDS)
        .onSuccess(
            v ->
                ctx.response()
                    .putHeader("Content-Type", "application/json")
                    .putHeader("Cache-Control", "no-store")
                    .end(body.put("status", "READY").toBuffer()))
        .onFailure(
            e ->
                ctx.fail(
                    new StoreUnavailableException(
                        "feature store (" + store.kind() + ") unreachable", e)));
  }
}
