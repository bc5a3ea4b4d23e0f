package dev.funnel.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.app.FunnelServer;
import dev.funnel.features.EmbeddedFeatureStore;
import dev.funnel.testing.FixedRateLoad;
import dev.funnel.testing.FixedRateLoad.Result;
import dev.funnel.testing.Http;
import dev.funnel.testing.TestConfig;
import dev.funnel.testing.TestWorld;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The overload drill in small: measure what one inference worker sustains, offer three times that
 * open-loop, and check that the server sheds the excess at once (503 + Retry-After), keeps serving
 * about its capacity with bounded latency, and is back to normal as soon as the load drops.
 */
class OverloadTest {
  private static final int MAX_PENDING = 8;
  private final TestWorld world = TestWorld.get();
  private final Vertx vertx = Vertx.vertx();
  private FunnelServer server;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close().await(30, TimeUnit.SECONDS);
    }
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private HttpRequest.Builder request(int i) {
    return HttpRequest.newBuilder(
        URI.create(
            server.url()
                + "/v1/recommendations/"
                + world.profiles.get(i % world.profiles.size()).userId()
                + "?count=500"));
  }

  @Test
  void overload_threeTimesCapacity_shedsAtOnceServesCapacityRecovers() throws Exception {
    EmbeddedFeatureStore store = new EmbeddedFeatureStore();
    store.putAll(world.profiles).await();
    server =
        FunnelServer.start(
                vertx,
                TestConfig.server(
                    "inference.workers", "1",
                    "inference.max-pending", Integer.toString(MAX_PENDING),
                    "serving.deadline-ms", "1000"),
                world.bundle,
                store)
            .await(120, TimeUnit.SECONDS);

    // Capacity: one client, one request at a time, after a warm-up.
    for (int i = 0; i < 50; i++) {
      Http.get(request(i).build().uri().toString());
    }
    int n = 0;
    long t = System.nanoTime();
    while (System.nanoTime() - t < 1_500_000_000L) {
      assertEquals(200, Http.get(request(n++).build().uri().toString()).status());
    }
    double capacity = n / ((System.nanoTime() - t) / 1e9);
    int rate = (int) Math.max(30, Math.min(600, 3 * capacity));

    List<Result> over = FixedRateLoad.run(rate, 3.0, this::request, null);
    List<Result> ok = over.stream().filter(r -> r.status() == 200).toList();
    List<Result> shed = over.stream().filter(r -> r.status() == 503).toList();
    for (Result r : over) {
      assertTrue(r.status() == 200 || r.status() == 503, "status " + r.status() + ": " + r.body());
    }
    shed.forEach(r -> assertEquals("1", r.retryAfter()));
    double servedRate = ok.size() / 3.0;

    List<Result> after =
        FixedRateLoad.run((int) Math.max(5, capacity / 2), 1.0, this::request, null);
    System.out.printf(
        "overload drill: capacity %.0f req/s (1 worker, closed loop), offered %d req/s for 3 s:"
            + " served %.0f req/s (p50 %.1f ms, p99 %.1f ms, max %.1f ms), shed %d (p99 %.1f ms);"
            + " then at %.0f req/s: %s, p99 %.1f ms%n",
        capacity,
        rate,
        servedRate,
        FixedRateLoad.quantileMs(ok, 0.5),
        FixedRateLoad.quantileMs(ok, 0.99),
        FixedRateLoad.quantileMs(ok, 1.0),
        shed.size(),
        FixedRateLoad.quantileMs(shed, 0.99),
        Math.max(5, capacity / 2),
        FixedRateLoad.statuses(after),
        FixedRateLoad.quantileMs(after, 0.99));

    assertTrue(shed.size() > 0, "three times capacity must shed");
    assertTrue(servedRate > 0.5 * capacity, "keeps serving: " + servedRate + " of " + capacity);
    // Bounded: the queue holds MAX_PENDING requests, so an accepted one waits for at most that
    // many services (generous factor for a shared machine); a shed one does not wait at all.
    assertTrue(
        FixedRateLoad.quantileMs(ok, 0.99) < 1000,
        "accepted p99 " + FixedRateLoad.quantileMs(ok, 0.99));
    assertTrue(
        FixedRateLoad.quantileMs(shed, 0.5) < 100,
        "shed p50 " + FixedRateLoad.quantileMs(shed, 0.5));
    after.forEach(r -> assertEquals(200, r.status(), "recovered at once"));
    String metrics = Http.get(server.url() + "/metrics").raw().body();
    assertTrue(metrics.contains("funnel_shed_total " + shed.size() + ".0"), "shed counted");
  }
}
