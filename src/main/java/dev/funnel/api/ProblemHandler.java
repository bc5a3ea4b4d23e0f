package dev.funnel.api;

import dev.funnel.metrics.FunnelMetrics;
import dev.funnel.models.serving.ModelReloader;
import dev.funnel.pipeline.OverloadedException;
import io.vertx.circuitbreaker.OpenCircuitException;
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
 * instance). {@link #classify} maps each exception class to a status in one method; every problem
 * is counted ({@code funnel_problems_total{kind,status}}) and logged with the request id. Anything
 * unexpected is a 500 whose detail is generic and whose stack trace goes to the log only, with a
 * problem id to match them.
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

  /** How much a problem of one kind is worth in the log. */
  enum Log {
    /**
     * Routine (bad input, shed load): counted, logged at debug only, so a flood cannot fill logs.
     */
    QUIET,
    /** Worth a line for the operator, with the cause's message. */
    WARN,
    /** Worth a line with the cause's stack trace. */
    WARN_TRACE,
    /** A bug: an error line with the stack trace and a problem id the client also sees. */
    ERROR
  }

  /**
   * One failure in HTTP terms.
   *
   * @param kind the metric label: a fixed set of names, never an exception's message
   * @param detail shown to the client; never internals
   */
  record Problem(int status, String kind, String detail, Log log) {}

  private final AtomicLong errors = new AtomicLong();
  private final FunnelMetrics metrics;
  private final RouteTable routes;

  ProblemHandler(FunnelMetrics metrics, RouteTable routes) {
    this.metrics = metrics;
    this.routes = routes;
  }

  /**
   * Maps a failure to its problem: the one table from exception class to status.
   *
   * @param routerStatus the status the router set when it failed the request without an exception
   */
  static Problem classify(Throwable failure, int routerStatus) {
    if (failure instanceof ApiException e) {
      return new Problem(e.status(), "client", e.getMessage(), Log.QUIET);
    }
    if (failure instanceof OverloadedException) {
      return new Problem(503, "overloaded", DEFAULT_DETAILS.get(503), Log.QUIET);
    }
    if (failure instanceof StoreUnavailableException e) {
      // An open breaker refuses every call at once: that is the point, not news per request.
      Log log = e.getCause() instanceof OpenCircuitException ? Log.QUIET : Log.WARN;
      return new Problem(503, "store_unavailable", e.getMessage(), log);
    }
    if (failure instanceof ModelReloader.BusyException e) {
      return new Problem(409, "reload_busy", e.getMessage(), Log.QUIET);
    }
    if (failure instanceof ModelReloader.RejectedException e) {
      return new Problem(
          422,
          "model_rejected",
          e.getMessage() + ": " + publicReason(e.getCause()),
          Log.WARN_TRACE);
    }
    if (failure instanceof HttpException e && e.getStatusCode() < 500) {
      return routerProblem(e.getStatusCode());
    }
    if (failure == null && routerStatus >= 400 && routerStatus < 500) {
      return routerProblem(routerStatus);
    }
    return new Problem(500, "internal", null, Log.ERROR);
  }

  private static Problem routerProblem(int status) {
    return new Problem(
        status,
        "router",
        DEFAULT_DETAILS.getOrDefault(status, TITLES.getOrDefault(status, "request failed")),
        Log.QUIET);
  }

  /** The failure in words, without file system paths (they stay in the log). */
  static String publicReason(Throwable e) {
    if (e == null) {
      return "unknown reason";
    }
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    m = m.replaceAll("(?:[A-Za-z]:)?(?:/[^\\s'\":,]+)+", "<path>");
    m = m.replaceAll("\\p{Cntrl}", " ");
    return m.length() <= 300 ? m : m.substring(0, 300) + "…";
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
    Problem p = classify(failure, ctx.statusCode());
    int status = p.status();
    String detail = p.detail();
    metrics.problem(p.kind(), status);
    if (failure instanceof OverloadedException) {
      metrics.shed();
    }
    String requestId = RequestIds.of(ctx);
    switch (p.log()) {
      case QUIET ->
          LOG.debug(
              "[{}] {} {} answered {}: {}",
              requestId,
              ctx.request().method(),
              ctx.request().path(),
              status,
              detail);
      case WARN ->
          LOG.warn(
              "[{}] {} {} answered {}: {} ({})",
              requestId,
              ctx.request().method(),
              ctx.request().path(),
              status,
              detail,
              failure.getCause() == null ? "no cause" : failure.getCause().toString());
      case WARN_TRACE ->
          LOG.warn(
              "[{}] {} {} answered {}: {}",
              requestId,
              ctx.request().method(),
              ctx.request().path(),
              status,
              failure.getMessage(),
              failure.getCause());
      case ERROR -> {
        long id = errors.incrementAndGet();
        detail = "internal error (problem " + id + ")";
        LOG.error(
            "[{}] problem {}: {} {} failed with status {}",
            requestId,
            id,
            ctx.request().method(),
            ctx.request().path(),
            ctx.statusCode(),
            failure);
      }
    }
    if (status == 503) {
      response.putHeader("Retry-After", "1");
    } else if (status == 401) {
      response.putHeader("WWW-Authenticate", "Bearer");
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
