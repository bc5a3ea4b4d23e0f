package dev.funnel.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.app.FunnelServer;
import dev.funnel.config.FunnelConfig;
import dev.funnel.features.FeatureStore;
import dev.funnel.features.RedisFeatureStore;
import dev.funnel.features.UserProfile;
import dev.funnel.testing.Http;
import dev.funnel.testing.RedisServer;
import dev.funnel.testing.RedisServerExtension;
import dev.funnel.testing.TestConfig;
import dev.funnel.testing.TestWorld;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A fresh server over a real Redis: once {@code /ready} says so, the very first answers on every
 * route are full ones (the server warms every path a first request takes before it opens the port,
 * without tripping the store's breaker), and that warm-up is not counted as traffic. The deadline
 * is 1 s rather than the default 50 ms: on the shared test machine (load 13 on 2 cores) requests
 * after the warm-up still took 26-55 ms, and a test must not fail on the machine's load.
 */
@ExtendWith(RedisServerExtension.class)
class FirstAnswerApiTest {
  private final TestWorld world = TestWorld.get();
  private final Vertx vertx = Vertx.vertx();
  private final FeatureStore store;
  private final FunnelServer server;

  FirstAnswerApiTest(RedisServer redis) throws Exception {
    FunnelConfig config =
        TestConfig.server(
            "inference.workers",
            "2",
            "serving.deadline-ms",
            "1000",
            "redis.url",
            redis.url(),
            "redis.key-prefix",
            "test:" + UUID.randomUUID() + ":u:");
    store = RedisFeatureStore.create(vertx, config.redis());
    store.putAll(world.profiles).await(60, TimeUnit.SECONDS);
    server = FunnelServer.start(vertx, config, world.bundle, store).await(120, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    server.close().eventually(store::close).eventually(vertx::close).await(30, TimeUnit.SECONDS);
  }

  @Test
  void firstAnswersAfterReady_areFullAndOnlyTheyAreCounted() {
    assertEquals(200, Http.get(server.url() + "/ready").status());
    UserProfile user =
        world.profiles.stream().filter(p -> p.history().size() >= 3).findFirst().orElseThrow();
    String video = world.bundle.catalog().id(world.bundle.popular()[0]);

    assertFull(Http.get(server.url() + "/v1/recommendations/" + user.userId() + "?count=5"), true);
    assertFull(
        Http.postJson(
            server.url() + "/v1/recommendations", "{\"history\":[\"" + video + "\"],\"count\":5}"),
        true);
    assertFull(Http.get(server.url() + "/v1/videos/" + video + "/related?count=5"), false);

    String metrics = Http.get(server.url() + "/metrics").raw().body();
    assertTrue(
        metrics.contains(
            "funnel_http_requests_seconds_count{method=\"GET\","
                + "route=\"/v1/recommendations/:userId\",status=\"200\"} 1\n"),
        "the warm-up is not counted as traffic:\n" + metrics);
    assertTrue(metrics.contains("funnel_stage_seconds_count{stage=\"total\"} 3\n"), metrics);
    assertTrue(metrics.contains("funnel_degraded_total 0.0"), metrics);
  }

  private static void assertFull(Http.Reply r, boolean personalized) {
    assertEquals(200, r.status(), r.raw().body());
    JsonObject body = r.json();
    assertFalse(body.getBoolean("degraded"), r.raw().body());
    assertEquals(5, body.getJsonArray("items").size(), r.raw().body());
    assertTrue(body.getJsonArray("items").getJsonObject(0).getDouble("score") > 0, r.raw().body());
    if (personalized) {
      assertTrue(body.getBoolean("personalized"), r.raw().body());
    }
  }
}
