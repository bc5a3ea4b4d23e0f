package dev.funnel.api;

import dev.funnel.models.serving.ModelReloader;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /admin/*}: only routed when {@code http.admin-token} is set, and each request must carry
 * {@code Authorization: Bearer <token>}. The comparison is constant-time: both sides are hashed
 * with SHA-256 first (so neither the length nor a common prefix shows in the timing) and compared
 * with {@link MessageDigest#isEqual}.
 *
 * <p>{@code POST /admin/models/reload}: 200 {@code {"model","previous","videos"}} once the new
 * version serves; 422 problem when it was rejected (the old one keeps serving); 409 when a reload
 * is already running ({@link ProblemHandler} maps the reloader's failures).
 */
final class AdminHandler {
  private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);

  private final byte[] tokenHash;
  private final ModelReloader reloader;

  AdminHandler(String token, ModelReloader reloader) {
    this.tokenHash = sha256(token);
    this.reloader = reloader;
  }

  /** Lets the request through only with the right bearer token; 401 otherwise. */
  void authorize(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    String given = header != null && header.startsWith("Bearer ") ? header.substring(7) : "";
    if (!MessageDigest.isEqual(tokenHash, sha256(given))) {
      throw new ApiException(401, "a valid admin bearer token is required");
    }
    ctx.next();
  }

  void reload(RoutingContext ctx) {
    Validation.onlyParams(ctx.queryParams());
    String requestId = RequestIds.of(ctx);
    LOG.info("[{}] model reload requested", requestId);
    reloader
        .reload()
        .onSuccess(
            r ->
                ctx.response()
                    .putHeader("Content-Type", "application/json")
                    .putHeader("Cache-Control", "no-store")
                    .end(
                        new JsonObject()
                            .put("model", r.current())
                            .put("previous", r.previous())
                            .put("videos", r.videos())
                            .toBuffer()))
        .onFailure(ctx::fail);
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
