package dev.funnel.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.app.FunnelServer;
import dev.funnel.config.FunnelConfig;
import dev.funnel.features.FeatureStore;
import dev.funnel.features.FeatureStores;
import dev.funnel.testing.Http;
import dev.funnel.testing.TestConfig;
import dev.funnel.testing.TestWorld;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Explanations of degraded answers: they say which path was taken and why. */
class ExplainDegradationApiTest {
  private final TestWorld world = TestWorld.get();
  private final Vertx vertx = Vertx.vertx();
  private FunnelServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close().await();
    }
    vertx.close().await();
  }

  @Test
  void recommend_deadlineCut_explainSaysWhichStagesDidNotRun() throws Exception {
    // A Redis that accepts connections and never answers (as a frozen one does) holds the feature
    // read until the 1-ms deadline, so the cut does not depend on how fast the machine computes.
    Http.Reply r;
    try (ServerSocket silentRedis = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      FunnelConfig config =
          TestConfig.server(
              "serving.deadline-ms",
              "1",
              "redis.url",
              "redis://127.0.0.1:" + silentRedis.getLocalPort());
      FeatureStore store = FeatureStores.create(vertx, config.redis());
      server = FunnelServer.start(vertx, config, world.bundle, store).await(120, TimeUnit.SECONDS);
      String user = world.profiles.get(0).userId();
      r = Http.get(server.url() + "/v1/recommendations/" + user + "?count=10&explain=true");
      server.close().await();
      server = null;
      store.close().await();
    }
    assertEquals(200, r.status(), r.raw().body());
    JsonObject body = r.json();
    assertEquals(true, body.getBoolean("degraded"));
    JsonObject explain = body.getJsonObject("explain");
    String path = explain.getString("path");
    assertNotNull(explain.getString("reason"));
    JsonObject rank = explain.getJsonArray("stages").getJsonObject(4);
    assertEquals("rank", rank.getString("stage"));
    assertEquals(false, rank.getBoolean("ran"));
    assertEquals(10, explain.getJsonArray("items").size());
    for (Object o : explain.getJsonArray("items")) {
      JsonObject item = (JsonObject) o;
      assertNull(item.getValue("ranker_score"), item.encode());
      if (path.equals("popular")) {
        assertNull(item.getValue("retrieval"), item.encode());
        assertNull(item.getValue("features"), item.encode());
      } else {
        assertEquals("unranked", path);
        assertTrue(item.getJsonObject("retrieval").getInteger("rank") >= 1, item.encode());
      }
    }
  }
}
