package dev.funnel.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.config.FunnelConfig;
import dev.funnel.config.RedisConfig;
import dev.funnel.events.EventsResult;
import dev.funnel.events.UserEvent;
import dev.funnel.testing.RedisNode;
import dev.funnel.testing.RedisSentinelSet;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Redis store on a real Sentinel set (1 master, 1 replica, 3 sentinels): reads and writes
 * through the sentinels, reads from the replica, WAIT for the replica before an event batch is
 * acknowledged, and a master killed by SIGKILL (last, it changes the set).
 */
@ExtendWith(VertxExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisSentinelFeatureStoreTest {
  /** Generous bound on the failover (sentinels declare the master down after 1 s). */
  static final long FAILOVER_LIMIT_MS = 30_000;

  private static RedisSentinelSet set;
  private final String run = UUID.randomUUID().toString().substring(0, 8);

  @BeforeAll
  static void startSet() throws Exception {
    set = RedisSentinelSet.start();
  }

  @AfterAll
  static void stopSet() {
    if (set != null) {
      set.close();
    }
  }

  private static RedisConfig config() {
    return FunnelConfig.defaults()
        .redis()
        .withSentinel(RedisSentinelSet.MASTER_NAME, set.sentinelUrls())
        .withKeyPrefix("st:u:")
        .withEventKeyPrefix("st:ev:");
  }

  @Test
  @Order(1)
  void putAllGetAndApplyEvents_throughSentinels_reachTheMaster(Vertx vertx) throws Exception {
    FeatureStore store = RedisFeatureStore.create(vertx, config());
    try {
      UserProfile p = FeatureStoreContract.profile("a-" + run, 3);
      store.putAll(List.of(p)).await();
      assertEquals(Optional.of(p), store.get(p.userId()).await());
      assertEquals(
          new EventsResult(1, 0),
          store.applyEvents(List.of(UserEvent.watch(run + "-1", p.userId(), "v9", 5, 2))).await());
      RedisNode master = set.node(set.masterPort());
      assertEquals("1", master.cli("EXISTS", "st:ev:" + run + "-1"));
    } finally {
      store.close().await();
    }
  }

  @Test
  @Order(2)
  void get_readFromReplica_readsOnTheReplica(Vertx vertx) throws Exception {
    FeatureStore store =
        RedisFeatureStore.create(vertx, config().withReadFrom(RedisConfig.ReadFrom.REPLICA));
    try {
      UserProfile p = FeatureStoreContract.profile("r-" + run, 2);
      store.putAll(List.of(p)).await();
      RedisNode replica = set.other(set.masterPort());
      long before = getCalls(replica);
      long until = System.currentTimeMillis() + 5_000;
      Optional<UserProfile> read = store.get(p.userId()).await();
      while (read.isEmpty() && System.currentTimeMillis() < until) {
        Thread.sleep(20); // replication is asynchronous
        read = store.get(p.userId()).await();
      }
      assertEquals(Optional.of(p), read);
      assertTrue(getCalls(replica) > before, "the replica served no GET");
    } finally {
      store.close().await();
    }
  }

  private static long getCalls(RedisNode node) throws Exception {
    for (String line : node.cli("INFO", "commandstats").split("\n")) {
      if (line.startsWith("cmdstat_get:calls=")) {
        return Long.parseLong(line.substring("cmdstat_get:calls=".length(), line.indexOf(',')));
      }
    }
    return 0;
  }

  @Test
  @Order(3)
  void applyEvents_waitWithReplicaStopped_failsThenRetryIsAcknowledged(Vertx vertx)
      throws Exception {
    FeatureStore store = RedisFeatureStore.create(vertx, config().withWait(1, 200));
    RedisNode replica = set.other(set.masterPort());
    try {
      String u = "w-" + run;
      assertEquals(
          new EventsResult(1, 0),
          store.applyEvents(List.of(UserEvent.watch(run + "-a", u, "v1", 5, 1))).await());
      List<UserEvent> batch = List.of(UserEvent.watch(run + "-b", u, "v2", 5, 2));
      replica.pause(true);
      try {
        Exception e = assertThrows(Exception.class, () -> store.applyEvents(batch).await());
        assertTrue(e.getMessage().contains("0 of 1 replicas"), e.getMessage());
      } finally {
        replica.pause(false);
      }
      // The retry finds the ids applied and still waits until the replica has them.
      assertEquals(new EventsResult(0, 1), store.applyEvents(batch).await());
      assertEquals("1", replica.cli("EXISTS", "st:ev:" + run + "-b"));
    } finally {
      store.close().await();
    }
  }

  @Test
  @Order(4)
  void applyEvents_masterKilled_reconnectsToThePromotedReplica(Vertx vertx) throws Exception {
    FeatureStore waiting = RedisFeatureStore.create(vertx, config().withWait(1, 200));
    FeatureStore store = RedisFeatureStore.create(vertx, config());
    try {
      String u = "f-" + run;
      waiting.applyEvents(List.of(UserEvent.watch(run + "-before", u, "v1", 5, 1))).await();
      int oldPort = set.masterPort();
      set.node(oldPort).kill(); // SIGKILL by PID
      long killed = System.nanoTime();
      int errors = 0;
      EventsResult after = null;
      while (after == null) {
        assertTrue(
            (System.nanoTime() - killed) / 1_000_000 < FAILOVER_LIMIT_MS,
            "no write succeeded within " + FAILOVER_LIMIT_MS + " ms of the kill");
        try {
          after =
              store
                  .applyEvents(List.of(UserEvent.watch(run + "-after", u, "v2", 5, 2)))
                  .await(2, TimeUnit.SECONDS);
        } catch (Exception e) {
          errors++;
          Thread.sleep(100);
        }
      }
      long windowMs = (System.nanoTime() - killed) / 1_000_000;
      System.out.printf(
          "sentinel failover: first write %d ms after SIGKILL (%d failed attempts)%n",
          windowMs, errors);
      assertNotEquals(oldPort, set.masterPort());
      UserProfile p = store.get(u).await().orElseThrow();
      // the event acknowledged before the kill (WAIT 1) survived on the promoted replica
      assertEquals(List.of("v1", "v2"), p.history().stream().map(w -> w.video()).toList());
      // the promoted master has no replica left: a batch that needs one is refused, not lost
      Exception e =
          assertThrows(
              Exception.class,
              () ->
                  waiting
                      .applyEvents(List.of(UserEvent.watch(run + "-alone", u, "v3", 5, 3)))
                      .await(5, TimeUnit.SECONDS));
      assertTrue(e.getMessage().contains("0 of 1 replicas"), e.getMessage());
    } finally {
      waiting.close().await();
      store.close().await();
    }
  }
}
