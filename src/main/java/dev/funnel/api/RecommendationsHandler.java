package dev.funnel.api;

import dev.funnel.config.ServingConfig;
import dev.funnel.pipeline.RecommendPipeline;
import dev.funnel.pipeline.RecommendQuery;
import dev.funnel.pipeline.Recommendation;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /v1/recommendations/{userId}?count=N} and {@code POST /v1/recommendations}: the home
 * feed of a stored user, or of whoever the body describes.
 */
final class RecommendationsHandler {
  private final RecommendPipeline pipeline;
  private final ServingConfig serving;

  RecommendationsHandler(RecommendPipeline pipeline, ServingConfig serving) {
    this.pipeline = pipeline;
    this.serving = serving;
  }

  void get(RoutingContext ctx) {
    Validation.onlyParams(ctx.queryParams(), "count", "explain");
    String user = Validation.id(ctx.pathParam("userId"), "user id");
    int count = Validation.count(ctx.queryParams(), serving.defaultCount(), serving.maxCount());
    boolean explain = Validation.flag(ctx.queryParams(), "explain");
    respond(ctx, pipeline, RecommendQuery.forUser(user, count), null, explain);
  }

  void post(RoutingContext ctx) {
    Validation.onlyParams(ctx.queryParams(), "explain");
    boolean explain = Validation.flag(ctx.queryParams(), "explain");
    RecommendQuery query =
        RecommendBody.parse(ctx.body().buffer(), serving.defaultCount(), serving.maxCount());
    respond(ctx, pipeline, query, null, explain);
  }

  /**
   * Runs the pipeline and writes the answer, or hands the failure to the problem handler. With
   * {@code explain}, the answer also carries the pipeline's explanation ({@link ExplainJson}).
   */
  static void respond(
      RoutingContext ctx,
      RecommendPipeline pipeline,
      RecommendQuery query,
      String playing,
      boolean explain) {
    if (explain) {
      pipeline
          .explain(query, RequestIds.of(ctx))
          .onSuccess(
              e ->
                  write(
                      ctx,
                      e.recommendation(),
                      RecommendationJson.toJson(e.recommendation(), playing)
                          .put("explain", ExplainJson.toJson(e.explanation()))
                          .toBuffer()))
          .onFailure(ctx::fail);
      return;
    }
    pipeline
        .recommend(query, RequestIds.of(ctx))
        .onSuccess(r -> write(ctx, r, RecommendationJson.encode(r, playing)))
        .onFailure(ctx::fail);
  }

  private static void write(RoutingContext ctx, Recommendation r, Buffer body) {
    RequestMetrics.recommendation(ctx, r);
    if (ctx.response().closed()) {
      return;
    }
    ctx.response()
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .putHeader("Server-Timing", r.timings().serverTiming())
        .end(body);
  }
}
