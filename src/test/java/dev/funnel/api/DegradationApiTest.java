package dev.funnel.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.app.FunnelServer;
import dev.funnel.config.FunnelConfig;
import dev.funnel.features.EmbeddedFeatureStore;
import dev.funnel.features.FeatureStore;
import dev.funnel.features.FeatureStores;
import dev.funnel.models.ModelBundle;
import dev.funnel.testing.CapturedStderr;
import dev.funnel.testing.Http;
import dev.funnel.testing.TestConfig;
import dev.funnel.testing.TestWorld;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Load shedding and deadlines: servers with tight limits over the test world's real models. */
class DegradationApiTest {
  private final TestWorld world = TestWorld.get();
  private final Vertx vertx = Vertx.vertx();
  private final EmbeddedFeatureStore store = new EmbeddedFeatureStore();
  private FunnelServer server;

  private FunnelServer start(String... keysAndValues) throws Exception {
    store.putAll(world.profiles).await();
    server =
        FunnelServer.start(vertx, TestConfig.server(keysAndValues), world.bundle, store)
            .await(120, TimeUnit.SECONDS);
    return server;
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close().await();
    }
    vertx.close().await();
  }

  @Test
  void recommend_queueFull_answers503WithRetryAfterAtOnce() throws Exception {
    FunnelServer s = start("inference.workers", "1", "inference.max-pending", "1");
    HttpClient client = Http.client();
    List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      HttpRequest r =
          HttpRequest.newBuilder(URI.create(s.url() + "/v1/recommendations/u" + i + "?count=500"))
              .build();
      replies.add(client.sendAsync(r, HttpResponse.BodyHandlers.ofString()));
    }
    int ok = 0;
    int shed = 0;
    for (CompletableFuture<HttpResponse<String>> f : replies) {
      HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
      if (r.statusCode() == 200) {
        ok++;
      } else {
        assertEquals(503, r.statusCode(), r.body());
        assertEquals("1", r.headers().firstValue("Retry-After").orElse(null));
        assertEquals(
            "application/problem+json", r.headers().firstValue("Content-Type").orElse(null));
        shed++;
      }
    }
    assertTrue(ok >= 1, "some requests are served");
    assertTrue(shed >= 1, "with one slot, concurrent requests are shed (ok=" + ok + ")");
  }

  @Test
  void recommend_featureStoreDown_degradesReadyStays200HealthSaysUnreachable() throws Exception {
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    FunnelConfig config = TestConfig.server("redis.url", "redis://127.0.0.1:" + closedPort);
    FeatureStore down = FeatureStores.create(vertx, config.redis());
    server = FunnelServer.start(vertx, config, world.bundle, down).await(120, TimeUnit.SECONDS);
    String user = world.profiles.get(0).userId();
    Http.Reply r;
    try (CapturedStderr log = new CapturedStderr()) {
      r = Http.get(server.url() + "/v1/recommendations/" + user + "?count=10", "store-1");
      assertTrue(
          log.text().contains("[store-1] feature read for user " + user + " failed"),
          "the log line names the request");
    }
    assertEquals(200, r.status(), r.raw().body());
    JsonObject body = r.json();
    assertEquals(true, body.getBoolean("degraded"));
    assertEquals(false, body.getBoolean("personalized"));
    assertEquals(10, body.getJsonArray("items").size());
    // A balancer must keep a replica that still answers: readiness is local, the store's state is
    // in /health.
    assertEquals(200, Http.get(server.url() + "/ready").status());
    Http.Reply health = Http.get(server.url() + "/health");
    assertEquals(200, health.status());
    assertEquals(false, health.json().getJsonObject("store").getBoolean("reachable"));
    down.close().await();
  }

  /**
   * A model that fails in the middle of a request (here: its native parameters released under the
   * running server, so libtorch refuses the call) still gets an answer: the most popular videos,
   * marked degraded, and an error log line with the request id.
   */
  @Test
  void recommend_modelFailsMidRequest_servesPopularDegraded() throws Exception {
    ModelBundle failing = ModelBundle.load(world.bundle.directory());
    store.putAll(world.profiles).await();
    server =
        FunnelServer.start(vertx, TestConfig.server(), failing, store).await(120, TimeUnit.SECONDS);
    String user = world.profiles.get(0).userId();
    String url = server.url() + "/v1/recommendations/" + user + "?count=5";
    JsonObject before = Http.get(url, "ok-1").json();
    assertEquals(false, before.getBoolean("degraded"));

    failing.close();
    Http.Reply r;
    try (CapturedStderr log = new CapturedStderr()) {
      r = Http.get(url, "model-1");
      assertTrue(
          log.text().contains("[model-1] inference failed for user " + user),
          "the log line names the request");
    }
    assertEquals(200, r.status(), r.raw().body());
    JsonObject body = r.json();
    assertEquals(true, body.getBoolean("degraded"));
    Set<String> watched = new HashSet<>();
    world.profiles.get(0).history().forEach(w -> watched.add(w.video()));
    List<String> expected = new ArrayList<>();
    for (int v : world.bundle.popular()) {
      String id = world.bundle.catalog().id(v);
      if (expected.size() < 5 && !watched.contains(id)) {
        expected.add(id);
      }
    }
    List<String> served = new ArrayList<>();
    body.getJsonArray("items").forEach(i -> served.add(((JsonObject) i).getString("video")));
    assertEquals(expected, served, "the most popular videos the user has not watched");
    assertTrue(
        !served.equals(
            before.getJsonArray("items").stream()
                .map(i -> ((JsonObject) i).getString("video"))
                .toList()),
        "the ranked answer differs from the popular one, so the fallback is visible");
  }
}
