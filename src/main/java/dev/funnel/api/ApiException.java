package dev.funnel.api;

/**
 * A client error with its HTTP status, turned into {@code application/problem+json} by {@link
 * ProblemHandler}. Cheap to throw (no stack trace): bad input is routine, not exceptional. The
 * detail is shown to the client, so it must never contain internals.
 */
public final class ApiException extends RuntimeException {
  private final int status;

  public ApiException(int status, String detail) {
    super(detail, null, false, false);
    this.status = status;
  }

  public static ApiException badRequest(String detail) {
    return new ApiException(400, detail);
  }

  public static ApiException notFound(String detail) {
    return new ApiException(404, detail);
  }

  public int status() {
    return status;
  }
}
