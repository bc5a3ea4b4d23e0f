package dev.funnel.api;

import dev.funnel.metrics.FunnelMetrics;
import dev.funnel.pipeline.OverloadedException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP: every failed route, and the router's own 404, 405, 413
 * and 415, end here as {@code application/problem+json} (RFC 9457: type, title, status, detail,
 * instance). Typed exceptions map to their status; anything unexpected is a 500 whose detail is
 * generic and whose stack trace goes to the log only, with a problem id to match them.
 */
final class ProblemHandler implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(ProblemHandler.class);
  static final String PROBLEM_JSON = "application/problem+json";

  private static final Map<Integer, String> TITLES =
      Map.ofEntries(
          Map.entry(400, "Bad Request"),
          Map.entry(401, "Unauthorized"),
          Map.entry(404, "Not Found"),
          Map.entry(405, "Method Not Allowed"),
          Map.entry(406, "Not Acceptable"),
          Map.entry(413, "Content Too Large"),
          Map.entry(414, "URI Too Long"),
          Map.entry(415, "Unsupported Media Type"),
          Map.entry(409, "Conflict"),
          Map.entry(422, "Unprocessable Content"),
          Map.entry(431, "Request Header Fields Too Large"),
          Map.entry(500, "Internal Server Error"),
          Map.entry(503, "Service Unavailable"));

  private static final Map<Integer, String> DEFAULT_DETAILS =
      Map.of(
          404, "no such resource",
          405, "method not allowed on this resource",
          413, "request body is too large",
          414, "request line is too long",
          415, "request body must be application/json",
          431, "request headers are too large",
          503, "the server is overloaded; retry later");

  private final AtomicLong errors = new AtomicLong();
  private final FunnelMetrics metrics;
  private final RouteTable routes;

  ProblemHandler(FunnelMetrics metrics, RouteTable routes) {
    this.metrics = metrics;
    this.routes = routes;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      // Too late for a problem body: the status line is gone. Drop the connection.
      ctx.request().connection().close();
      return;
    }
    Throwable failure = ctx.failure();
    int status;
    String detail;
    if (failure instanceof ApiException e) {
      status = e.status();
      detail = e.getMessage();
      if (status == 503) {
        response.putHeader("Retry-After", "1");
      }
    } else if (failure instanceof OverloadedException) {
      status = 503;
      detail = DEFAULT_DETAILS.get(503);
      response.putHeader("Retry-After", "1");
      metrics.shed();
    } else if (failure instanceof HttpException e && e.getStatusCode() < 500) {
      status = e.getStatusCode();
      detail = DEFAULT_DETAILS.getOrDefault(status, TITLES.getOrDefault(status, "request failed"));
    } else if (failure == null && ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
      status = ctx.statusCode();
      detail = DEFAULT_DETAILS.getOrDefault(status, TITLES.getOrDefault(status, "request failed"));
    } else {
      status = 500;
      long id = errors.incrementAndGet();
      detail = "internal error (problem " + id + ")";
      LOG.error(
          "[{}] problem {}: {} {} failed with status {}",
          RequestIds.of(ctx),
          id,
          ctx.request().method(),
          ctx.request().path(),
          ctx.statusCode(),
          failure);
    }
    if (status == 405) {
      String allow = routes.allow(ctx.request().path());
      if (!allow.isEmpty()) {
        response.putHeader("Allow", allow);
      }
    }
    send(response, status, detail, ctx.request().path());
  }

  /** The problem body for this status (detail null = the status's default) and its headers. */
  static Future<Void> send(HttpServerResponse response, int status, String detail, String path) {
    JsonObject problem =
        new JsonObject()
            .put("type", "about:blank")
            .put("title", TITLES.getOrDefault(status, "Error"))
            .put("status", status)
            .put(
                "detail",
                detail != null
                    ? detail
                    : DEFAULT_DETAILS.getOrDefault(status, TITLES.getOrDefault(status, "Error")))
            .put("instance", Validation.truncate(path == null ? "" : path));
    return response
        .setStatusCode(status)
        .putHeader("Content-Type", PROBLEM_JSON)
        .putHeader("Cache-Control", "no-store")
        .end(problem.toBuffer());
  }
}
