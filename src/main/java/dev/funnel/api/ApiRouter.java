package dev.funnel.api;

import dev.funnel.config.FunnelConfig;
import dev.funnel.events.EventLog;
import dev.funnel.features.FeatureStore;
import dev.funnel.metrics.FunnelMetrics;
import dev.funnel.models.serving.ModelReloader;
import dev.funnel.pipeline.RecommendPipeline;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.function.BooleanSupplier;

/** The HTTP routes of the serving API and the one failure handler behind all of them. */
public final class ApiRouter {
  private ApiRouter() {}

  /**
   * @param draining true once the server is shutting down: {@code /ready} then answers 503 while
   *     every other route still serves
   * @param eventLog where {@code POST /v1/events} queues batches in {@code events.mode = kafka};
   *     null = direct mode (the store)
   */
  public static Router create(
      Vertx vertx,
      FunnelConfig config,
      RecommendPipeline pipeline,
      FeatureStore store,
      FunnelMetrics metrics,
      ModelReloader reloader,
      BooleanSupplier draining,
      EventLog eventLog) {
    Router router = Router.router(vertx);
    RouteTable routes = new RouteTable();
    // First on every request: the request id, and the metric recorded when the answer ends.
    router
        .route()
        .handler(RequestIds::assign)
        .handler(ctx -> RequestMetrics.observe(ctx, metrics, routes));
    RecommendationsHandler recommendations = new RecommendationsHandler(pipeline, config.serving());
    RelatedVideosHandler related = new RelatedVideosHandler(pipeline, config.serving());
    HealthHandler health = new HealthHandler(pipeline, store, draining);

    getOrHead(router, "/health").handler(health::health);
    getOrHead(router, "/ready").handler(health::ready);
    getOrHead(router, "/v1/recommendations/:userId").handler(recommendations::get);
    router
        .post("/v1/recommendations")
        .consumes("application/json")
        .handler(BodyHandler.create(false).setBodyLimit(config.http().maxBodyBytes()))
        .handler(recommendations::post);
    getOrHead(router, "/v1/videos/:videoId/related").handler(related::get);
    UsersHandler users = new UsersHandler(pipeline, store, config.serving());
    getOrHead(router, "/v1/users").handler(users::sample);
    getOrHead(router, "/v1/users/:userId").handler(users::get);
    // The inspector page (docs/inspector.md): static files from the classpath's webroot/.
    StaticHandler inspector = StaticHandler.create("webroot").setCachingEnabled(false);
    getOrHead(router, "/").handler(inspector);
    router
        .routeWithRegex("/inspector\\.(js|css)")
        .method(HttpMethod.GET)
        .method(HttpMethod.HEAD)
        .handler(inspector);
    router
        .post("/v1/events")
        .consumes("application/json")
        .handler(BodyHandler.create(false).setBodyLimit(config.http().maxBodyBytes()))
        .handler(new EventsHandler(store, metrics, eventLog)::post);
    getOrHead(router, "/metrics")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                    .putHeader("Cache-Control", "no-store")
                    .end(metrics.scrape()));
    if (config.http().adminEnabled()) {
      AdminHandler admin = new AdminHandler(config.http().adminToken(), reloader);
      router.route("/admin/*").handler(admin::authorize);
      router.post("/admin/models/reload").handler(admin::reload);
    }

    ProblemHandler problems = new ProblemHandler(metrics, routes);
    router.route().failureHandler(problems);
    // The router's own answers (no route, wrong method, wrong media type, body too large).
    for (int status : new int[] {400, 401, 404, 405, 406, 413, 415, 500}) {
      router.errorHandler(status, problems);
    }
    routes.load(router);
    return router;
  }

  // HEAD is GET without the body (Vert.x leaves the body out of a HEAD answer itself).
  private static Route getOrHead(Router router, String path) {
    return router.route(path).method(HttpMethod.GET).method(HttpMethod.HEAD);
  }
}
