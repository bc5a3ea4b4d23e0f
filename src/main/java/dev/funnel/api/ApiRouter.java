package dev.funnel.api;

import dev.funnel.config.FunnelConfig;
import dev.funnel.features.FeatureStore;
import dev.funnel.pipeline.RecommendPipeline;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;

/** The HTTP routes of the serving API and the one failure handler behind all of them. */
public final class ApiRouter {
  private ApiRouter() {}

  public static Router create(
      Vertx vertx, FunnelConfig config, RecommendPipeline pipeline, FeatureStore store) {
    Router router = Router.router(vertx);
    RecommendationsHandler recommendations = new RecommendationsHandler(pipeline, config.serving());
    RelatedVideosHandler related = new RelatedVideosHandler(pipeline, config.serving());
    HealthHandler health = new HealthHandler(pipeline, store);

    router.get("/health").handler(health::health);
    router.get("/ready").handler(health::ready);
    router.get("/v1/recommendations/:userId").handler(recommendations::get);
    router
        .post("/v1/recommendations")
        .consumes("application/json")
        .handler(BodyHandler.create(false).setBodyLimit(config.http().maxBodyBytes()))
        .handler(recommendations::post);
    router.get("/v1/videos/:videoId/related").handler(related::get);
    UsersHandler users = new UsersHandler(pipeline, store, config.serving());
    router.get("/v1/users").handler(users::sample);
    router.get("/v1/users/:userId").handler(users::get);
    // The inspector page (docs/inspector.md): static files from the classpath's webroot/.
    StaticHandler inspector = StaticHandler.create("webroot").setCachingEnabled(false);
    router.get("/").handler(inspector);
    router.getWithRegex("/inspector\\.(js|css)").handler(inspector);

    ProblemHandler problems = new ProblemHandler();
    router.route().failureHandler(problems);
    // The router's own answers (no route, wrong method, wrong media type, body too large).
    for (int status : new int[] {400, 404, 405, 406, 413, 415, 500}) {
      router.errorHandler(status, problems);
    }
    return router;
  }
}
