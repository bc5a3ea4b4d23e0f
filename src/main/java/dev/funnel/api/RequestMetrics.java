package dev.funnel.api;

import dev.funnel.metrics.FunnelMetrics;
import dev.funnel.pipeline.Recommendation;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * Records every answered request in {@link FunnelMetrics}. The route label is one of a fixed set of
 * templates, never the raw path, so hostile paths cannot grow the number of time series.
 */
final class RequestMetrics {
  private static final String KEY = "funnel.metrics";
  private static final Set<String> METHODS =
      Set.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS");

  private RequestMetrics() {}

  static void observe(RoutingContext ctx, FunnelMetrics metrics) {
    long start = System.nanoTime();
    ctx.put(KEY, metrics);
    ctx.addEndHandler(
        ar ->
            metrics.request(
                route(ctx.request().path()),
                METHODS.contains(ctx.request().method().name())
                    ? ctx.request().method().name()
                    : "OTHER",
                ctx.response().getStatusCode(),
                System.nanoTime() - start));
    ctx.next();
  }

  static void recommendation(RoutingContext ctx, Recommendation r) {
    FunnelMetrics metrics = ctx.get(KEY);
    if (metrics != null) {
      metrics.recommendation(r.timings(), r.degraded());
    }
  }

  static String route(String path) {
    if (path == null) {
      return "other";
    }
    if (path.startsWith("/v1/recommendations/")) {
      return "/v1/recommendations/:userId";
    }
    if (path.startsWith("/v1/videos/") && path.endsWith("/related")) {
      return "/v1/videos/:videoId/related";
    }
    return switch (path) {
      case "/v1/recommendations",
          "/v1/events",
          "/health",
          "/ready",
          "/metrics",
          "/admin/models/reload" ->
          path;
      default -> "other";
    };
  }
}
