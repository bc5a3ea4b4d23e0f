package dev.funnel.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.config.FunnelConfig;
import dev.funnel.config.RedisConfig;
import dev.funnel.events.EventsResult;
import dev.funnel.events.UserEvent;
import dev.funnel.testing.RedisClusterSet;
import dev.funnel.testing.RedisNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The feature-store contract on a real 3-master Redis Cluster, plus what only a cluster has: a
 * batch whose users live on different nodes, and many more requests in flight than pooled
 * connections (vertx-redis-client 5.0.7 deadlocked there).
 */
class RedisClusterFeatureStoreTest extends FeatureStoreContract {
  private static RedisClusterSet cluster;
  private String prefix;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = RedisClusterSet.start();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static RedisConfig config() {
    return FunnelConfig.defaults().redis().withCluster(cluster.seedUrls());
  }

  @Override
  protected FeatureStore newStore(Vertx vertx, String keyPrefix) {
    prefix = keyPrefix;
    return RedisFeatureStore.create(
        vertx,
        config().withKeyPrefix(keyPrefix).withEventKeyPrefix(keyPrefix.replace(":u:", ":ev:")));
  }

  @Test
  void putAll_clusterMode_keysAreHashTaggedByUser() throws Exception {
    String u = "tag-" + run;
    store.putAll(List.of(profile(u, 2))).await();
    store.applyEvents(List.of(UserEvent.watch(run + "-t", u, "v1", 3, 1))).await();
    String profileKey = prefix + "{" + u + "}";
    String eventKey = prefix.replace(":u:", ":ev:") + "{" + u + "}:" + run + "-t";
    int port = cluster.portOf(profileKey);
    assertEquals(port, cluster.portOf(eventKey));
    RedisNode node = cluster.nodes().stream().filter(n -> n.port() == port).findFirst().get();
    assertEquals("1", node.cli("EXISTS", profileKey));
    assertEquals("1", node.cli("EXISTS", eventKey));
  }

  @Test
  void applyEvents_usersOnDifferentNodes_appliesOneTransactionEach() throws Exception {
    List<UserEvent> batch = new ArrayList<>();
    Set<Integer> ports = new HashSet<>();
    for (int i = 0; i < 12; i++) {
      String u = "spread" + i + "-" + run;
      ports.add(cluster.portOf(prefix + "{" + u + "}"));
      batch.add(UserEvent.watch(run + "-w" + i, u, "v" + i, 5, 10 + i));
      batch.add(UserEvent.impression(run + "-i" + i, u, "v" + i, 11 + i));
    }
    batch.add(UserEvent.impression(run + "-i0", "spread1-" + run, "v0", 99)); // id repeated
    assertTrue(ports.size() >= 2, "12 users all hashed to one node: " + ports);
    assertEquals(new EventsResult(24, 1), store.applyEvents(batch).await());
    for (int i = 0; i < 12; i++) {
      UserProfile p = store.get("spread" + i + "-" + run).await().orElseThrow();
      assertEquals("v" + i, p.history().get(0).video());
      assertEquals(1, p.impressions("v" + i));
    }
    assertEquals(new EventsResult(0, 25), store.applyEvents(batch).await());
  }

  @Test
  void applyEvents_concurrentWritesToOneUser_abortAndRetryLosingNothing() throws Exception {
    String u = "race-" + run;
    int port = cluster.portOf(prefix + "{" + u + "}");
    RedisNode node = cluster.nodes().stream().filter(n -> n.port() == port).findFirst().get();
    long execsBefore = execCalls(node);
    List<Future<EventsResult>> all = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      all.add(store.applyEvents(List.of(UserEvent.impression(run + "-r" + i, u, "v3", 300 + i))));
    }
    Future.all(all).await(60, TimeUnit.SECONDS);
    assertEquals(64, store.get(u).await().orElseThrow().impressions("v3"));
    long execs = execCalls(node) - execsBefore;
    // Every batch committed once; EXECs beyond 64 were aborted by a concurrent write and retried.
    assertTrue(execs >= 64, "EXEC calls " + execs);
    System.out.println("cluster race: 64 batches, " + (execs - 64) + " aborted and retried");
  }

  private static long execCalls(RedisNode node) throws Exception {
    for (String line : node.cli("INFO", "commandstats").split("\n")) {
      if (line.startsWith("cmdstat_exec:calls=")) {
        return Long.parseLong(line.substring("cmdstat_exec:calls=".length(), line.indexOf(',')));
      }
    }
    return 0;
  }

  @Test
  void get_256InFlightOnPoolOf16_finishes20000Reads(Vertx vertx) throws Exception {
    List<UserProfile> profiles = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      profiles.add(profile("load" + i + "-" + run, 2));
    }
    store.putAll(profiles).await();
    RedisConfig small =
        new RedisConfig(
            "",
            prefix,
            16,
            4096,
            4096,
            1000,
            5,
            1000,
            prefix.replace(":u:", ":ev:"),
            60,
            RedisConfig.Mode.CLUSTER,
            cluster.seedUrls(),
            "",
            RedisConfig.ReadFrom.MASTER,
            0,
            500);
    FeatureStore pooled = RedisFeatureStore.create(vertx, small);
    AtomicInteger found = new AtomicInteger();
    AtomicInteger started = new AtomicInteger();
    List<Future<Void>> lanes = new ArrayList<>();
    for (int lane = 0; lane < 256; lane++) {
      lanes.add(readUntil(pooled, 20_000, started, found));
    }
    try {
      // a hang guard only: 5.0.7 stalled here for good
      Future.all(lanes).await(120, TimeUnit.SECONDS);
    } finally {
      pooled.close().await();
    }
    assertEquals(20_000, found.get());
  }

  private Future<Void> readUntil(
      FeatureStore s, int total, AtomicInteger started, AtomicInteger found) {
    int i = started.getAndIncrement();
    if (i >= total) {
      return Future.succeededFuture();
    }
    return s.get("load" + (i % 100) + "-" + run)
        .compose(
            p -> {
              if (p.isPresent()) {
                found.incrementAndGet();
              }
              return readUntil(s, total, started, found);
            });
  }
}
