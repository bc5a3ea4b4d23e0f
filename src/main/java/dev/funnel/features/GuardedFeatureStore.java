package dev.funnel.features;

import dev.funnel.config.RedisConfig;
import dev.funnel.events.EventsResult;
import dev.funnel.events.UserEvent;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link FeatureStore} behind a timeout and a circuit breaker (vertx-circuit-breaker), so that a
 * slow or dead Redis costs requests no latency: each read fails after {@code redis.timeout-ms};
 * after {@code redis.breaker-max-failures} failures in a row the breaker opens and reads and event
 * writes fail at once (the pipeline serves degraded answers, events get 503); after {@code
 * redis.breaker-reset-ms} one trial call goes through, and when it succeeds the breaker closes
 * again (automatic recovery). {@link #ping()} bypasses the breaker, so {@code /ready} tells the
 * truth. Thread-safe.
 */
public final class GuardedFeatureStore implements FeatureStore {
  private static final Logger LOG = LoggerFactory.getLogger(GuardedFeatureStore.class);

  /**
   * An event batch is a few round trips (WATCH, MGET, MULTI..EXEC, retries on conflicts): it gets
   * more time than a read. A batch that times out may still have been applied; the client's retry
   * is then a duplicate, which idempotency makes harmless.
   */
  static final long EVENTS_TIMEOUT_MS = 2_000;

  private final FeatureStore delegate;
  private final CircuitBreaker breaker;
  private final long readTimeoutMs;

  public GuardedFeatureStore(Vertx vertx, FeatureStore delegate, RedisConfig config) {
    this.delegate = delegate;
    this.readTimeoutMs = config.timeoutMs();
    this.breaker =
        CircuitBreaker.create(
                "feature-store",
                vertx,
                new CircuitBreakerOptions()
                    .setMaxFailures(config.breakerMaxFailures())
                    .setResetTimeout(config.breakerResetMs())
                    .setTimeout(-1) // each call brings its own timeout
                    .setMaxRetries(0)
                    .setNotificationAddress(null))
            // A master that answers but lacks a replica's acknowledgement is not down: counting
            // it would open the breaker and degrade every read too.
            .failurePolicy(f -> f.failed() && !(f.cause() instanceof ReplicaShortfallException))
            .openHandler(v -> LOG.warn("feature store circuit breaker OPEN: failing fast"))
            .halfOpenHandler(v -> LOG.info("feature store circuit breaker HALF-OPEN: trying"))
            .closeHandler(v -> LOG.info("feature store circuit breaker CLOSED: store is back"));
  }

  /** The breaker's state now: CLOSED, OPEN or HALF_OPEN. */
  public CircuitBreakerState state() {
    return breaker.state();
  }

  @Override
  public Future<Optional<UserProfile>> get(String userId) {
    return breaker
        .execute(() -> delegate.get(userId).timeout(readTimeoutMs, TimeUnit.MILLISECONDS))
        .andThen(this::succeeded);
  }

  @Override
  public Future<EventsResult> applyEvents(List<UserEvent> events) {
    return breaker
        .execute(
            () -> delegate.applyEvents(events).timeout(EVENTS_TIMEOUT_MS, TimeUnit.MILLISECONDS))
        .andThen(this::succeeded);
  }

  /**
   * vertx-circuit-breaker counts failures in a rolling window (10 s), so at thousands of reads a
   * second five scattered timeouts would open it although Redis is fine. A success while closed
   * clears the count: the breaker opens only on {@code max-failures} failures in a row.
   */
  private void succeeded(io.vertx.core.AsyncResult<?> ar) {
    if (ar.succeeded()
        && breaker.failureCount() > 0
        && breaker.state() == CircuitBreakerState.CLOSED) {
      breaker.reset();
    }
  }

  /** For the inspector's user picker: a few SCAN rounds, so it gets the batch timeout. */
  @Override
  public Future<List<String>> sampleUserIds(int n) {
    return breaker
        .execute(() -> delegate.sampleUserIds(n).timeout(EVENTS_TIMEOUT_MS, TimeUnit.MILLISECONDS))
        .andThen(this::succeeded);
  }

  /** Bulk loads are an offline job: not guarded. */
  @Override
  public Future<Void> putAll(Collection<UserProfile> profiles) {
    return delegate.putAll(profiles);
  }

  @Override
  public Future<Void> ping() {
    return delegate.ping();
  }

  @Override
  public String kind() {
    return delegate.kind();
  }

  /** Closes the store behind the breaker too. */
  @Override
  public Future<Void> close() {
    breaker.close();
    return delegate.close();
  }

  /** Releases the breaker only; the store behind it belongs to someone else. */
  /**
   * Closes the breaker and forgets the failures counted so far: the start-up warm-up meets cold
   * connections on purpose, and its timeouts say nothing about the store the first real request
   * will find.
   */
  public void forgetFailures() {
    breaker.reset();
  }

  public void closeBreaker() {
    breaker.close();
  }
}
