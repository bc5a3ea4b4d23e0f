package dev.funnel.events.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.app.FunnelServer;
import dev.funnel.config.FunnelConfig;
import dev.funnel.events.EventsResult;
import dev.funnel.events.UserEvent;
import dev.funnel.features.EventApplier;
import dev.funnel.features.FeatureStore;
import dev.funnel.features.RedisFeatureStore;
import dev.funnel.features.UserProfile;
import dev.funnel.features.UserProfileCodec;
import dev.funnel.testing.Http;
import dev.funnel.testing.KafkaNode;
import dev.funnel.testing.RedisServer;
import dev.funnel.testing.TestConfig;
import dev.funnel.testing.TestWorld;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code events.mode = kafka} end to end: a real single-node Kafka (child JVM), a real
 * redis-server, the real server over HTTP. The tests run in order on one broker and one topic: the
 * replay test rebuilds what the earlier ones applied, and the last one kills the broker.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KafkaEventsTest {
  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private KafkaNode kafka;
  private RedisServer redis;
  private Vertx vertx;
  private FeatureStore store;
  private FunnelServer server;
  private FunnelConfig config;
  private TestWorld world;
  // every user an earlier test posted events for, for the replay test
  private final Set<String> touched = new LinkedHashSet<>();

  @BeforeAll
  void start() throws Exception {
    world = TestWorld.get();
    kafka = KafkaNode.start(120);
    // durable: the Redis-down test kills it, and what EXEC acknowledged must survive
    redis = RedisServer.start(true);
    vertx = Vertx.vertx();
    config =
        TestConfig.server(
            "redis.url", redis.url(),
            "events.mode", "kafka",
            "events.kafka.bootstrap", kafka.bootstrap(),
            "events.kafka.topic", "events-" + run,
            "events.kafka.group", "apply-" + run,
            "events.kafka.partitions", "4",
            "inference.workers", "1",
            // generous: the machine running the tests is shared and slow
            "serving.deadline-ms", "5000",
            "redis.timeout-ms", "2000");
    store = RedisFeatureStore.create(vertx, config.redis());
    store.putAll(world.profiles).await(60, TimeUnit.SECONDS);
    server = FunnelServer.start(vertx, config, world.bundle, store).await(300, TimeUnit.SECONDS);
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (server != null) {
        server
            .close()
            .eventually(store::close)
            .eventually(vertx::close)
            .await(60, TimeUnit.SECONDS);
      }
    } finally {
      if (kafka != null) {
        kafka.close();
      }
      if (redis != null) {
        redis.close();
      }
    }
  }

  private Http.Reply post(List<UserEvent> events) {
    JsonArray array = new JsonArray();
    events.forEach(
        e -> array.add(new JsonObject(new String(EventRecords.encode(e), StandardCharsets.UTF_8))));
    return Http.postJson(
        "http://127.0.0.1:" + server.port() + "/v1/events",
        new JsonObject().put("events", array).encode());
  }

  private UserProfile stored(FeatureStore from, String user) throws Exception {
    return from.get(user).await(10, TimeUnit.SECONDS).orElse(null);
  }

  private static byte[] bytes(UserProfile p) {
    return p == null ? new byte[0] : UserProfileCodec.encode(p);
  }

  private static void await(String what, long seconds, BooleanSupplier done) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > until) {
        throw new AssertionError("not within " + seconds + " s: " + what);
      }
      Thread.sleep(50);
    }
  }

  /** Waits until every user's profile is the base profile with their events applied once. */
  private void awaitAppliedOnce(
      Map<String, UserProfile> before, Map<String, List<UserEvent>> posted) throws Exception {
    for (Map.Entry<String, List<UserEvent>> e : posted.entrySet()) {
      String user = e.getKey();
      byte[] expected = bytes(EventApplier.apply(user, before.get(user), e.getValue()));
      await(
          "the profile of " + user + " reflects its events once",
          60,
          () -> {
            try {
              return java.util.Arrays.equals(expected, bytes(stored(store, user)));
            } catch (Exception ex) {
              return false;
            }
          });
      // and stays so: nothing is applied a second time later
      Thread.sleep(20);
      assertArrayEquals(expected, bytes(stored(store, user)), user);
    }
  }

  private double metric(String series) {
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$")
            .matcher(server.metrics().scrape());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  private UserEvent impression(String id, String user, int video, long ts) {
    return UserEvent.impression(id, user, world.bundle.catalog().id(video), ts);
  }

  private UserEvent watch(String id, String user, int video, long ts) {
    return UserEvent.watch(id, user, world.bundle.catalog().id(video), 42.5, ts);
  }

  @Test
  @Order(1)
  void post_kafkaMode_202OnTheBrokersAckThenTheConsumerAppliesItToRedis() throws Exception {
    UserProfile user = world.profiles.get(5);
    String u = user.userId();
    touched.add(u);
    long ts = user.lastWatchTs() + 60;
    List<UserEvent> events =
        List.of(
            watch(run + "-a1", u, 3, ts),
            impression(run + "-a2", u, 7, ts + 1),
            UserEvent.search(run + "-a3", u, "Piano cats", ts + 2));
    Map<String, UserProfile> before = Map.of(u, stored(store, u));

    Http.Reply r = post(events);

    assertEquals(202, r.status(), r.raw().body());
    assertEquals(new JsonObject().put("queued", 3), r.json());
    awaitAppliedOnce(before, Map.of(u, events));
    KafkaEventConsumer consumer = server.kafkaEvents().consumer();
    await("consumer lag 0", 30, () -> consumer.lag() == 0);
    assertTrue(metric("funnel_events_consumed_total{result=\"applied\"}") >= 3);
    assertEquals(0, metric("funnel_events_consumer_lag"));
  }

  @Test
  @Order(2)
  void post_sameEventIdsTwice_bothQueuedAndAppliedOnce() throws Exception {
    UserProfile user = world.profiles.get(6);
    String u = user.userId();
    touched.add(u);
    long ts = user.lastWatchTs() + 60;
    List<UserEvent> events =
        List.of(impression(run + "-d1", u, 11, ts), impression(run + "-d2", u, 11, ts + 1));
    Map<String, UserProfile> before = Map.of(u, stored(store, u));
    double duplicates = metric("funnel_events_consumed_total{result=\"duplicate\"}");

    assertEquals(202, post(events).status());
    assertEquals(202, post(events).status());

    await(
        "the second copy counted as duplicates",
        60,
        () -> metric("funnel_events_consumed_total{result=\"duplicate\"}") >= duplicates + 2);
    awaitAppliedOnce(before, Map.of(u, events));
    UserProfile after = stored(store, u);
    int shownBefore = before.get(u).impressionCounts().getOrDefault(events.get(0).video(), 0);
    assertEquals(shownBefore + 2, after.impressionCounts().get(events.get(0).video()));
  }

  /**
   * Redis dies under the server's consumer: events are still queued (202), the consumer's attempts
   * fail and commit nothing; once Redis is back every event is applied, once.
   */
  @Test
  @Order(3)
  void consumer_redisKilledAndRestarted_retriesUntilItIsBackThenAppliesEveryEventOnce()
      throws Exception {
    Map<String, UserProfile> before = new LinkedHashMap<>();
    for (int i = 30; i < 34; i++) {
      String u = world.profiles.get(i).userId();
      before.put(u, stored(store, u));
    }
    touched.addAll(before.keySet());
    List<String> users = new ArrayList<>(before.keySet());
    double failures = metric("funnel_events_apply_failures_total");
    redis.kill();
    Map<String, List<UserEvent>> posted = new LinkedHashMap<>();
    try {
      for (int i = 0; i < 20; i++) {
        String u = users.get(i % users.size());
        UserEvent e =
            i % 2 == 0
                ? impression(run + "-r" + i, u, 50 + i % 5, 1_800_000_000L + i)
                : watch(run + "-r" + i, u, 300 + i, 1_800_000_000L + i);
        Http.Reply r = post(List.of(e));
        assertEquals(202, r.status(), "Kafka takes events while Redis is down: " + r.raw().body());
        posted.computeIfAbsent(u, k -> new ArrayList<>()).add(e);
      }
      await(
          "the consumer's attempts fail while Redis is down",
          30,
          () -> metric("funnel_events_apply_failures_total") > failures);
    } finally {
      redis.restart();
    }
    awaitAppliedOnce(before, posted);
    KafkaEventConsumer consumer = server.kafkaEvents().consumer();
    await("consumer lag 0", 30, () -> consumer.lag() == 0);
  }

  /**
   * The server's consumer is stopped; member A applies part of a stream and is closed mid-way (its
   * second batch "crashes" after the Redis write and before the commit, so its records come back);
   * member B starts later and catches up. Every 202 is applied exactly once.
   */
  @Test
  @Order(4)
  void consumer_stoppedMidStreamAndRestarted_everyQueuedEventAppliedExactlyOnce() throws Exception {
    server.kafkaEvents().consumer().close();
    List<String> users = new ArrayList<>();
    Map<String, UserProfile> before = new LinkedHashMap<>();
    for (int i = 20; i < 28; i++) {
      String u = world.profiles.get(i).userId();
      users.add(u);
      before.put(u, stored(store, u));
    }
    touched.addAll(users);
    AtomicInteger calls = new AtomicInteger();
    AtomicLong duplicates = new AtomicLong();
    AtomicLong handled = new AtomicLong();
    Function<List<UserEvent>, Future<EventsResult>> counted =
        events ->
            store
                .applyEvents(events)
                .onSuccess(
                    r -> {
                      duplicates.addAndGet(r.duplicates());
                      handled.addAndGet(r.accepted() + r.duplicates());
                    });
    Function<List<UserEvent>, Future<EventsResult>> crashesOnce =
        events ->
            counted
                .apply(events)
                .compose(
                    r ->
                        calls.incrementAndGet() == 2
                            ? Future.failedFuture(new IllegalStateException("crash before commit"))
                            : Future.succeededFuture(r));

    KafkaEventConsumer a = KafkaEventConsumer.start(config.events(), crashesOnce, null);
    KafkaEventConsumer b = null;
    Map<String, List<UserEvent>> posted = new LinkedHashMap<>();
    long ts = 1_900_000_000L;
    try {
      for (int i = 0; i < 240; i++) {
        if (i == 30) {
          await("A applies the first records", 60, () -> handled.get() >= 30);
        } else if (i == 60) {
          // A's second batch was written to Redis, "crashed" before its commit, and came back
          await("A's crashed batch retried", 60, () -> calls.get() >= 2 && duplicates.get() > 0);
        } else if (i == 90) {
          a.close();
        } else if (i == 160) {
          b = KafkaEventConsumer.start(config.events(), counted, null);
        }
        String u = users.get(i % users.size());
        UserEvent e =
            switch (i % 3) {
              case 0 -> impression(run + "-s" + i, u, i % 40, ts + i);
              case 1 -> watch(run + "-s" + i, u, 100 + i, ts + i);
              default -> UserEvent.search(run + "-s" + i, u, "query " + i, ts + i);
            };
        Http.Reply r = post(List.of(e));
        assertEquals(202, r.status(), r.raw().body());
        posted.computeIfAbsent(u, k -> new ArrayList<>()).add(e);
      }
      assertNotNull(b);
      KafkaEventConsumer last = b;
      assertTrue(a.applied() > 0);
      awaitAppliedOnce(before, posted);
      await("consumer lag 0", 30, () -> last.lag() == 0);
    } finally {
      a.close();
      if (b != null) {
        b.close();
      }
    }
    assertTrue(b.applied() > 0, "B applied what was posted while no member ran");
  }

  @Test
  @Order(5)
  void replay_fromTheBeginningIntoAnEmptyStore_rebuildsEveryProfile() throws Exception {
    FunnelConfig fresh =
        TestConfig.server(
            "redis.url", redis.url(),
            "redis.key-prefix", "replay:" + run + ":u:",
            "redis.event-key-prefix", "replay:" + run + ":ev:");
    FeatureStore rebuilt = RedisFeatureStore.create(vertx, fresh.redis());
    try {
      rebuilt.putAll(world.profiles).await(60, TimeUnit.SECONDS);

      EventReplay.Result r =
          EventReplay.run(config.events(), rebuilt::applyEvents, Duration.ofSeconds(30));

      // 3 + 2 × 2 + 20 + 240 records; the second copies of the duplicated batch are duplicates
      assertEquals(267, r.records());
      assertEquals(265, r.applied());
      assertEquals(2, r.duplicates());
      assertEquals(0, r.undecodable());
      for (String u : touched) {
        assertArrayEquals(bytes(stored(store, u)), bytes(stored(rebuilt, u)), u);
      }
      EventReplay.Result again =
          EventReplay.run(config.events(), rebuilt::applyEvents, Duration.ofSeconds(30));
      assertEquals(0, again.applied(), "a second replay changes nothing");
      assertEquals(267, again.duplicates());
    } finally {
      rebuilt.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @Order(6)
  void post_kafkaDown_503WithRetryAfterAndRecommendationsStillServed() throws Exception {
    kafka.kill();
    UserProfile user = world.profiles.get(7);
    Http.Reply r = post(List.of(impression(run + "-k1", user.userId(), 1, 1_900_000_000L)));

    assertEquals(503, r.status(), r.raw().body());
    assertNotNull(r.header("Retry-After"));
    assertTrue(r.contentType().startsWith("application/problem+json"), r.contentType());
    assertTrue(r.json().getString("detail").contains("retry it as is"), r.raw().body());
    assertEquals(
        200,
        Http.get("http://127.0.0.1:" + server.port() + "/v1/recommendations/" + user.userId())
            .status());
  }
}
