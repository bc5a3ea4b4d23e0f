package dev.funnel.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.app.FunnelServer;
import dev.funnel.config.FunnelConfig;
import dev.funnel.features.FeatureStore;
import dev.funnel.features.RedisFeatureStore;
import dev.funnel.features.UserProfile;
import dev.funnel.testing.FixedRateLoad;
import dev.funnel.testing.FixedRateLoad.Result;
import dev.funnel.testing.Http;
import dev.funnel.testing.RedisServer;
import dev.funnel.testing.TestConfig;
import dev.funnel.testing.TestWorld;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fault drills against a real, durable redis-server (append-only file, fsync always) that the tests
 * kill, restart and freeze while the server is under fixed-rate load. Each drill is a few seconds
 * and a few hundred requests.
 */
class RedisFaultsTest {
  private final TestWorld world = TestWorld.get();
  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private Vertx vertx;
  private RedisServer redis;
  private FeatureStore store;
  private FunnelServer server;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    redis = RedisServer.start(true);
    FunnelConfig config =
        TestConfig.server(
            "inference.workers",
            "2",
            "redis.url",
            redis.url(),
            "redis.key-prefix",
            "drill:" + run + ":u:",
            "redis.event-key-prefix",
            "drill:" + run + ":ev:",
            "redis.breaker-reset-ms",
            "300",
            // the test machine is shared and slow: a generous deadline, the default timeout
            "serving.deadline-ms",
            "1000");
    store = RedisFeatureStore.create(vertx, config.redis());
    store.putAll(world.profiles.subList(0, 50)).await(30, TimeUnit.SECONDS);
    server = FunnelServer.start(vertx, config, world.bundle, store).await(120, TimeUnit.SECONDS);
    // A cold server (JIT, first connections) is slow for its first second: not what we drill.
    FixedRateLoad.run(100, 2.0, i -> request(i + 1_000_000), null);
  }

  @AfterEach
  void stop() throws Exception {
    try {
      redis.pause(false);
    } catch (Exception ignored) {
      // best effort
    }
    if (server != null) {
      server.close().await(30, TimeUnit.SECONDS);
    }
    store.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
    redis.close();
  }

  private String user(int i) {
    return world.profiles.get(i % 50).userId();
  }

  private HttpRequest.Builder request(int i) {
    if (i % 2 == 0) {
      return HttpRequest.newBuilder(URI.create(server.url() + "/v1/recommendations/" + user(i)));
    }
    String body =
        new JsonObject()
            .put(
                "events",
                new io.vertx.core.json.JsonArray()
                    .add(
                        new JsonObject()
                            .put("id", run + "-" + i)
                            .put("type", "impression")
                            .put("user", "drill-" + run + "-" + (i % 10))
                            .put("video", "v" + i)
                            .put("ts", 1_700_000_000L + i)))
            .encode();
    return HttpRequest.newBuilder(URI.create(server.url() + "/v1/events"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  @Test
  void drill_redisKilledAndRestartedUnderLoad_noLostEventNo5xxQuickRecovery() throws Exception {
    double killAt = 1.0;
    double restartAt = 2.5;
    long[] restartedNanos = {0};
    long t0 = System.nanoTime();
    List<Result> results =
        FixedRateLoad.run(
            60,
            5.0,
            this::request,
            elapsed -> {
              try {
                if (elapsed >= killAt && !killed) {
                  redis.kill();
                  killedNanos = System.nanoTime();
                  killed = true;
                } else if (elapsed >= restartAt && killed && restartedNanos[0] == 0) {
                  redis.restart();
                  restartedNanos[0] = System.nanoTime();
                }
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    assertTrue(killed && restartedNanos[0] != 0, "the drill killed and restarted redis");

    StringBuilder timeline = new StringBuilder();
    timeline.append(
        String.format(
            "# killed at %.3f, restarted at %.3f (s since start)%n",
            (killedNanos - t0) / 1e9, (restartedNanos[0] - t0) / 1e9));
    int degraded = 0;
    int eventsOk = 0;
    int events503 = 0;
    long lastFailureAfterRestart = 0;
    for (Result r : results) {
      boolean event = r.seq() % 2 == 1;
      if (r.status() == 503) {
        assertEquals("1", r.retryAfter(), "503 always says when to retry");
      } else {
        assertEquals(event ? 202 : 200, r.status(), "request " + r.seq() + ": " + r.body());
      }
      if (event) {
        if (r.status() == 202) {
          eventsOk++;
        } else {
          events503++;
        }
      } else if (new JsonObject(r.body()).getBoolean("degraded")) {
        degraded++;
      }
      boolean failed =
          r.status() != (event ? 202 : 200)
              || (!event && new JsonObject(r.body()).getBoolean("degraded"));
      timeline.append(
          String.format(
              "%.3f %d %.1fms %s%n",
              (r.sentNanos() - t0) / 1e9,
              r.status(),
              r.latencyMs(),
              event
                  ? "event"
                  : "recommend degraded=" + new JsonObject(r.body()).getBoolean("degraded")));
      if (failed && r.sentNanos() > restartedNanos[0]) {
        lastFailureAfterRestart = Math.max(lastFailureAfterRestart, r.sentNanos());
      }
    }
    java.nio.file.Files.writeString(
        java.nio.file.Path.of("target", "redis-kill-drill.txt"), timeline);
    double recoverySeconds =
        lastFailureAfterRestart == 0 ? 0 : (lastFailureAfterRestart - restartedNanos[0]) / 1e9;
    System.out.printf(
        "redis kill drill: %d requests at 60/s, statuses %s, %d degraded answers, events %d"
            + " acknowledged / %d unavailable, recovery %.2f s after restart, p50 %.1f ms, p99"
            + " %.1f ms, max %.1f ms%n",
        results.size(),
        FixedRateLoad.statuses(results),
        degraded,
        eventsOk,
        events503,
        recoverySeconds,
        FixedRateLoad.quantileMs(results, 0.5),
        FixedRateLoad.quantileMs(results, 0.99),
        FixedRateLoad.quantileMs(results, 1.0));
    assertTrue(degraded > 0 && events503 > 0, "the fault was seen");
    assertTrue(recoverySeconds < 5, "recovered " + recoverySeconds + " s after the restart");

    // No acknowledged event was lost: each one is in the restarted Redis.
    for (Result r : results) {
      if (r.seq() % 2 == 1 && r.status() == 202) {
        Optional<UserProfile> p = store.get("drill-" + run + "-" + (r.seq() % 10)).await();
        assertTrue(p.isPresent(), "profile of acknowledged event " + r.seq());
        assertEquals(1, p.get().impressions("v" + r.seq()), "acknowledged event " + r.seq());
      }
    }
    // And the server is fully back.
    JsonObject after = Http.get(server.url() + "/v1/recommendations/" + user(0)).json();
    assertEquals(false, after.getBoolean("degraded"));
    assertEquals(200, Http.get(server.url() + "/ready").status());
  }

  private volatile boolean killed;
  private volatile long killedNanos;

  @Test
  void events_redisDown_503AndNothingApplied() throws Exception {
    redis.kill();
    String body =
        "{\"events\":[{\"id\":\""
            + run
            + "-d\",\"type\":\"watch\",\"user\":\"down-"
            + run
            + "\",\"video\":\"v1\",\"ts\":1}]}";
    Http.Reply r = Http.postJson(server.url() + "/v1/events", body);
    assertEquals(503, r.status(), r.raw().body());
    assertEquals("1", r.header("Retry-After"));
    assertEquals("application/problem+json", r.contentType());
    redis.restart();
    assertTrue(store.get("down-" + run).await().isEmpty(), "nothing applied");
    // The retry after recovery is applied once.
    long until = System.nanoTime() + 5_000_000_000L;
    Http.Reply retry;
    do {
      Thread.sleep(100);
      retry = Http.postJson(server.url() + "/v1/events", body);
    } while (retry.status() != 202 && System.nanoTime() < until);
    assertEquals(202, retry.status(), retry.raw().body());
    assertEquals(1, retry.json().getInteger("accepted"));
    assertEquals(1, store.get("down-" + run).await().orElseThrow().history().size());
  }

  @Test
  void recommend_redisFrozen_answersDegradedWithinTimeoutThenRecovers() throws Exception {
    redis.pause(true);
    double worst = 0;
    for (int i = 0; i < 20; i++) {
      long t = System.nanoTime();
      Http.Reply r = Http.get(server.url() + "/v1/recommendations/" + user(i));
      worst = Math.max(worst, (System.nanoTime() - t) / 1e6);
      assertEquals(200, r.status());
      assertEquals(true, r.json().getBoolean("degraded"));
    }
    String metrics = Http.get(server.url() + "/metrics").raw().body();
    assertTrue(metrics.contains("funnel_feature_store_breaker_open 1.0"), "breaker opened");
    redis.pause(false);
    long until = System.nanoTime() + 5_000_000_000L;
    JsonObject body;
    do {
      Thread.sleep(50);
      body = Http.get(server.url() + "/v1/recommendations/" + user(1)).json();
    } while (body.getBoolean("degraded") && System.nanoTime() < until);
    System.out.printf("redis frozen: slowest degraded answer %.1f ms%n", worst);
    assertEquals(false, body.getBoolean("degraded"), "recovered after SIGCONT");
    // 20 ms read timeout, then the open breaker: never near a client timeout.
    assertTrue(worst < 1000, "slowest degraded answer " + worst + " ms");
    assertNotNull(body.getJsonArray("items"));
  }
}
