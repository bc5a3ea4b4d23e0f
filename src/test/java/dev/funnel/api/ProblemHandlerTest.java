package dev.funnel.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.models.serving.ModelReloader;
import dev.funnel.pipeline.OverloadedException;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.ext.web.handler.HttpException;
import java.io.IOException;
import java.lang.reflect.Constructor;
import org.junit.jupiter.api.Test;

/** The one table from failure class to status ({@link ProblemHandler#classify}). */
class ProblemHandlerTest {

  @Test
  void classify_eachFailureClass_getsItsStatusAndKind() throws Exception {
    assertProblem(ApiException.badRequest("count must be 1..100"), 400, "client");
    assertProblem(new ApiException(401, "token"), 401, "client");
    assertProblem(new OverloadedException(3), 503, "overloaded");
    assertProblem(
        new StoreUnavailableException("the feature store is unavailable", new IOException("x")),
        503,
        "store_unavailable");
    assertProblem(newInstance(ModelReloader.BusyException.class), 409, "reload_busy");
    assertProblem(new HttpException(413), 413, "router");
    assertProblem(new IllegalStateException("bug"), 500, "internal");
    assertProblem(new HttpException(500), 500, "internal");
  }

  @Test
  void classify_storeDown_warnsUnlessTheBreakerIsOpen() {
    ProblemHandler.Problem down =
        ProblemHandler.classify(
            new StoreUnavailableException("down", new IOException("connection refused")), 500);
    assertEquals(ProblemHandler.Log.WARN, down.log());
    ProblemHandler.Problem open =
        ProblemHandler.classify(
            new StoreUnavailableException("down", OpenCircuitException.INSTANCE), 500);
    assertEquals(503, open.status());
    assertEquals(ProblemHandler.Log.QUIET, open.log());
  }

  @Test
  void classify_routerStatusWithoutFailure_isThatStatus() {
    ProblemHandler.Problem p = ProblemHandler.classify(null, 405);
    assertEquals(405, p.status());
    assertEquals("method not allowed on this resource", p.detail());
    assertEquals(500, ProblemHandler.classify(null, 200).status());
  }

  @Test
  void classify_rejectedModel_is422WithoutPaths() throws Exception {
    Throwable rejected =
        newInstance(
            ModelReloader.RejectedException.class,
            new IOException("/srv/models/v2/ranker-0000.params: truncated"));
    ProblemHandler.Problem p = ProblemHandler.classify(rejected, 500);
    assertEquals(422, p.status());
    assertTrue(p.detail().startsWith("model rejected, the previous model keeps serving: "));
    assertTrue(p.detail().contains("<path>: truncated"), p.detail());
    assertFalse(p.detail().contains("/srv"), p.detail());
  }

  private static void assertProblem(Throwable failure, int status, String kind) {
    ProblemHandler.Problem p = ProblemHandler.classify(failure, 500);
    assertEquals(status, p.status(), failure.toString());
    assertEquals(kind, p.kind(), failure.toString());
  }

  // The reloader's exceptions are only created by the reloader; the test builds them reflectively.
  private static <T extends Throwable> T newInstance(Class<T> type, Object... args)
      throws Exception {
    for (Constructor<?> c : type.getDeclaredConstructors()) {
      if (c.getParameterCount() == args.length) {
        c.setAccessible(true);
        return type.cast(c.newInstance(args));
      }
    }
    throw new IllegalArgumentException("no constructor with " + args.length + " parameters");
  }
}
