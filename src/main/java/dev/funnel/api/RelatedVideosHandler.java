package dev.funnel.api;

import dev.funnel.config.ServingConfig;
import dev.funnel.pipeline.RecommendPipeline;
import dev.funnel.pipeline.RecommendQuery;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /v1/videos/{videoId}/related?count=N[&user=U]}: watch-next for a playing video. The
 * query follows the playing video ({@link dev.funnel.pipeline.WatchNext}): blended with the user's
 * vector for a known user, item-to-item without one; the video itself and the user's history are
 * excluded. An unknown video is a 404: there is nothing to relate to.
 */
final class RelatedVideosHandler {
  private final RecommendPipeline pipeline;
  private final ServingConfig serving;

  RelatedVideosHandler(RecommendPipeline pipeline, ServingConfig serving) {
    this.pipeline = pipeline;
    this.serving = serving;
  }

  void get(RoutingContext ctx) {
    Validation.onlyParams(ctx.queryParams(), "count", "user", "explain");
    String video = Validation.id(ctx.pathParam("videoId"), "video id");
    int count = Validation.count(ctx.queryParams(), serving.defaultCount(), serving.maxCount());
    String user = Validation.single(ctx.queryParams(), "user");
    if (user != null) {
      Validation.id(user, "user");
    }
    if (pipeline.model().bundle().catalog().index(video) < 0) {
      throw ApiException.notFound("unknown video '" + Validation.truncate(video) + "'");
    }
    RecommendQuery query = new RecommendQuery(user, null, null, count, null, video);
    boolean explain = Validation.flag(ctx.queryParams(), "explain");
    RecommendationsHandler.respond(ctx, pipeline, query, video, explain);
  }
}
