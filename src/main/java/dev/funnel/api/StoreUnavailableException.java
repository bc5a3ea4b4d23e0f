package dev.funnel.api;

/**
 * The feature store did not answer (error, timeout or open breaker) and the route cannot do without
 * it; {@link ProblemHandler} makes it a 503 with Retry-After. The detail is shown to the client;
 * the cause goes to the log only.
 */
final class StoreUnavailableException extends RuntimeException {
  StoreUnavailableException(String detail, Throwable cause) {
    super(detail, cause, false, false);
  }
}
