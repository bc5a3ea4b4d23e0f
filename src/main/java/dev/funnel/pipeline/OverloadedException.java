package dev.funnel.pipeline;

/**
 * The inference queue is full: the request is refused at once (HTTP 503 + Retry-After) rather than
 * queued without bound. Cheap: no stack trace, since it is expected under overload.
 */
public final class OverloadedException extends RuntimeException {
  public OverloadedException(int pending) {
    super("inference queue full (" + pending + " requests pending)", null, false, false);
  }
}
