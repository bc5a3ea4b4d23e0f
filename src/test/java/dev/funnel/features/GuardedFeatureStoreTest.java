package dev.funnel.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.config.FunnelConfig;
import dev.funnel.config.RedisConfig;
import dev.funnel.events.EventsResult;
import dev.funnel.events.UserEvent;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The breaker's policy, with a store that fails on demand. */
class GuardedFeatureStoreTest {
  private final Vertx vertx = Vertx.vertx();
  private final AtomicBoolean failing = new AtomicBoolean();
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicBoolean shortOfReplicas = new AtomicBoolean();
  private final FeatureStore flaky =
      new FeatureStore() {
        @Override
        public Future<Optional<UserProfile>> get(String userId) {
          calls.incrementAndGet();
          return failing.get()
              ? Future.failedFuture(new IllegalStateException("down"))
              : Future.succeededFuture(Optional.empty());
        }

        @Override
        public Future<EventsResult> applyEvents(List<UserEvent> events) {
          calls.incrementAndGet();
          if (shortOfReplicas.get()) {
            return Future.failedFuture(new ReplicaShortfallException("0 of 1 replicas"));
          }
          return failing.get()
              ? Future.failedFuture(new IllegalStateException("down"))
              : Future.succeededFuture(new EventsResult(events.size(), 0));
        }

        @Override
        public Future<Void> putAll(Collection<UserProfile> profiles) {
          return Future.succeededFuture();
        }

        @Override
        public Future<Void> ping() {
          return Future.succeededFuture();
        }

        @Override
        public String kind() {
          return "flaky";
        }

        @Override
        public Future<Void> close() {
          return Future.succeededFuture();
        }
      };

  private final RedisConfig config =
      FunnelConfig.load(
              null,
              java.util.Map.of(),
              java.util.Map.of("redis.breaker-max-failures", "3", "redis.breaker-reset-ms", "100"))
          .redis();
  private final GuardedFeatureStore guarded = new GuardedFeatureStore(vertx, flaky, config);

  @AfterEach
  void close() {
    guarded.closeBreaker();
    vertx.close().await();
  }

  private boolean getFails() {
    try {
      guarded.get("u").await();
      return false;
    } catch (Exception e) {
      return true;
    }
  }

  @Test
  void breaker_scatteredFailures_staysClosed() {
    for (int i = 0; i < 10; i++) {
      failing.set(true);
      assertTrue(getFails());
      assertTrue(getFails());
      failing.set(false);
      assertTrue(!getFails());
    }
    assertEquals(CircuitBreakerState.CLOSED, guarded.state());
  }

  @Test
  void breaker_failuresInARow_opensFailsFastAndRecovers() throws Exception {
    failing.set(true);
    for (int i = 0; i < 3; i++) {
      assertTrue(getFails());
    }
    assertEquals(CircuitBreakerState.OPEN, guarded.state());
    int before = calls.get();
    try {
      guarded.applyEvents(List.of(UserEvent.watch("e", "u", "v", 1, 1))).await();
    } catch (Exception e) {
      assertTrue(e instanceof OpenCircuitException, e.toString());
    }
    assertEquals(before, calls.get(), "an open breaker does not call the store");
    failing.set(false);
    Thread.sleep(250); // past the reset timeout: the next call is the trial
    assertTrue(!getFails());
    assertEquals(CircuitBreakerState.CLOSED, guarded.state());
  }

  @Test
  void breaker_replicaShortfallsInARow_staysClosedAndReadsPass() {
    shortOfReplicas.set(true);
    for (int i = 0; i < 6; i++) {
      try {
        guarded.applyEvents(List.of(UserEvent.watch("e" + i, "u", "v", 1, 1))).await();
        throw new AssertionError("a shortfall must fail the batch");
      } catch (ReplicaShortfallException expected) {
        // the 503 path
      }
    }
    assertEquals(CircuitBreakerState.CLOSED, guarded.state());
    assertTrue(!getFails());
  }
}
