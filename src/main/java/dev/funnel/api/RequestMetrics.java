package dev.funnel.api;

import dev.funnel.metrics.FunnelMetrics;
import dev.funnel.pipeline.Recommendation;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * Records every answered request in {@link FunnelMetrics}. The route label is the template of the
 * route the path matches ({@link RouteTable}) or "other", never the raw path, so hostile paths
 * cannot grow the number of time series.
 */
final class RequestMetrics {
  private static final String KEY = "funnel.metrics";
  private static final Set<String> METHODS =
      Set.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS");

  private RequestMetrics() {}

  static void observe(RoutingContext ctx, FunnelMetrics metrics, RouteTable routes) {
    long start = System.nanoTime();
    ctx.put(KEY, metrics);
    ctx.addEndHandler(
        ar ->
            metrics.request(
                routes.template(ctx.request().path()),
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
}
