package dev.funnel.features;

/**
 * An event batch was written on the master but fewer replicas than {@code redis.wait-replicas}
 * acknowledged it within {@code redis.wait-timeout-ms}: it is not acknowledged to the client (a
 * failover now could lose it), and a retry is safe. Redis itself answered, so the circuit breaker
 * does not count it.
 */
public final class ReplicaShortfallException extends RuntimeException {
  public ReplicaShortfallException(String message) {
    super(message);
  }
}
