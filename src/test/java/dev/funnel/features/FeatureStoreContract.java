package dev.funnel.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.events.EventsResult;
import dev.funnel.events.UserEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The behaviour every {@link FeatureStore} must have; one subclass per implementation. Each test
 * uses fresh user ids, so stores may be shared and are never flushed.
 */
@ExtendWith(VertxExtension.class)
abstract class FeatureStoreContract {
  protected FeatureStore store;
  protected String run;

  /** A store that reads and writes under a prefix unique to this test. */
  protected abstract FeatureStore newStore(Vertx vertx, String keyPrefix);

  @BeforeEach
  void open(Vertx vertx) {
    run = UUID.randomUUID().toString().substring(0, 8);
    store = newStore(vertx, "test:" + run + ":u:");
  }

  @AfterEach
  void closeStore() {
    store.close().await();
  }

  static UserProfile profile(String id, int watches) {
    List<UserProfile.Watched> history = new ArrayList<>();
    for (int i = 0; i < watches; i++) {
      history.add(new UserProfile.Watched("v" + (i * 7 % 101), 1_700_000_000L + i * 60));
    }
    Map<String, Integer> impressions = new LinkedHashMap<>();
    impressions.put("v5", 3);
    impressions.put("v9", 1);
    return new UserProfile(id, "US", "en", "f", 34, history, List.of("cats", "piano"), impressions);
  }

  @Test
  void sampleUserIds_afterPutAll_returnsDistinctStoredIds(VertxTestContext ctx) {
    List<UserProfile> profiles = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      profiles.add(profile("s" + i + "-" + run, 3));
    }
    List<String> ids = profiles.stream().map(UserProfile::userId).toList();
    store
        .putAll(profiles)
        .compose(v -> store.sampleUserIds(10))
        .compose(
            ten -> {
              assertEquals(10, ten.size(), ten.toString());
              assertEquals(10, ten.stream().distinct().count());
              assertTrue(ids.containsAll(ten), ten.toString());
              return store.sampleUserIds(100);
            })
        .onComplete(
            ctx.succeeding(
                all ->
                    ctx.verify(
                        () -> {
                          assertEquals(java.util.Set.copyOf(ids), java.util.Set.copyOf(all));
                          assertEquals(30, all.size());
                          ctx.completeNow();
                        })));
  }

  @Test
  void get_unknownUser_isEmpty(VertxTestContext ctx) {
    store
        .get("nobody-" + run)
        .onComplete(
            ctx.succeeding(
                p ->
                    ctx.verify(
                        () -> {
                          assertFalse(p.isPresent());
                          ctx.completeNow();
                        })));
  }

  @Test
  void putAll_thenGet_returnsEqualProfile(VertxTestContext ctx) {
    UserProfile p = profile("u1-" + run, 50);
    store
        .putAll(List.of(p))
        .compose(v -> store.get(p.userId()))
        .onComplete(
            ctx.succeeding(
                got ->
                    ctx.verify(
                        () -> {
                          assertEquals(p, got.orElseThrow());
                          ctx.completeNow();
                        })));
  }

  @Test
  void putAll_existingUser_replacesProfile(VertxTestContext ctx) {
    String id = "u2-" + run;
    UserProfile newer = profile(id, 3);
    store
        .putAll(List.of(profile(id, 40)))
        .compose(v -> store.putAll(List.of(newer)))
        .compose(v -> store.get(id))
        .onComplete(
            ctx.succeeding(
                got ->
                    ctx.verify(
                        () -> {
                          assertEquals(newer, got.orElseThrow());
                          ctx.completeNow();
                        })));
  }

  @Test
  void putAll_moreThanOneBatch_storesEveryProfile(VertxTestContext ctx) {
    List<UserProfile> many = new ArrayList<>();
    for (int i = 0; i < 2 * RedisFeatureStore.BATCH + 17; i++) {
      many.add(profile("m" + i + "-" + run, i % 51));
    }
    store
        .putAll(many)
        .compose(v -> store.get(many.get(0).userId()))
        .compose(
            first -> {
              ctx.verify(() -> assertEquals(many.get(0), first.orElseThrow()));
              return store.get(many.get(many.size() - 1).userId());
            })
        .onComplete(
            ctx.succeeding(
                last ->
                    ctx.verify(
                        () -> {
                          assertEquals(many.get(many.size() - 1), last.orElseThrow());
                          ctx.completeNow();
                        })));
  }

  @Test
  void get_anonymousAndUnicodeProfile_roundTrips(VertxTestContext ctx) {
    UserProfile empty = UserProfile.anonymous("anon-" + run);
    UserProfile unicode =
        new UserProfile(
            "ü-" + run,
            "JP",
            "ja",
            "u",
            0,
            List.of(new UserProfile.Watched("動画1", 5)),
            List.of("猫"),
            Map.of());
    store
        .putAll(List.of(empty, unicode))
        .compose(v -> store.get(empty.userId()))
        .compose(
            got -> {
              ctx.verify(() -> assertEquals(empty, got.orElseThrow()));
              return store.get(unicode.userId());
            })
        .onComplete(
            ctx.succeeding(
                got ->
                    ctx.verify(
                        () -> {
                          assertEquals(unicode, got.orElseThrow());
                          ctx.completeNow();
                        })));
  }

  private UserProfile stored(String user) {
    return store.get(user).await().orElseThrow();
  }

  @Test
  void applyEvents_unknownUser_createsProfileWithWatchImpressionAndSearch() {
    String u = "ev1-" + run;
    EventsResult r =
        store
            .applyEvents(
                List.of(
                    UserEvent.impression(run + "-a", u, "v7", 100),
                    UserEvent.watch(run + "-b", u, "v7", 42.5, 101),
                    UserEvent.impression(run + "-c", u, "v7", 102),
                    UserEvent.search(run + "-d", u, "Funny CATS, piano!", 103)))
            .await();
    assertEquals(new EventsResult(4, 0), r);
    UserProfile p = stored(u);
    assertEquals(List.of(new UserProfile.Watched("v7", 101)), p.history());
    assertEquals(2, p.impressions("v7"));
    assertEquals(List.of("funny", "cats", "piano"), p.searchTokens());
  }

  @Test
  void applyEvents_existingProfile_keepsContextAndAppendsInTimeOrder() {
    UserProfile before = profile("ev2-" + run, 3);
    store.putAll(List.of(before)).await();
    long last = before.lastWatchTs();
    store
        .applyEvents(
            List.of(
                UserEvent.watch(run + "-late", before.userId(), "v900", 10, last + 100),
                UserEvent.watch(run + "-early", before.userId(), "v901", 10, last - 1)))
        .await();
    UserProfile after = stored(before.userId());
    assertEquals(before.geo(), after.geo());
    assertEquals(before.age(), after.age());
    assertEquals(5, after.history().size());
    assertEquals("v901", after.history().get(2).video());
    assertEquals("v900", after.history().get(4).video());
  }

  @Test
  void applyEvents_retriedBatch_countsDuplicatesAndChangesNothingTwice() {
    String u = "ev3-" + run;
    List<UserEvent> batch =
        List.of(
            UserEvent.watch(run + "-w", u, "v1", 30, 200),
            UserEvent.impression(run + "-i", u, "v2", 201),
            UserEvent.impression(run + "-i", u, "v2", 201)); // repeated inside the batch
    assertEquals(new EventsResult(2, 1), store.applyEvents(batch).await());
    UserProfile once = stored(u);
    assertEquals(new EventsResult(0, 3), store.applyEvents(batch).await());
    assertEquals(once, stored(u));
    assertEquals(1, once.impressions("v2"));
    assertEquals(1, once.history().size());
  }

  @Test
  void applyEvents_concurrentBatchesForOneUser_loseNothing() {
    String u = "ev4-" + run;
    List<Future<EventsResult>> all = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      all.add(store.applyEvents(List.of(UserEvent.impression(run + "-c" + i, u, "v3", 300 + i))));
    }
    Future.all(all).await();
    assertEquals(24, stored(u).impressions("v3"));
  }

  @Test
  void applyEvents_severalUsers_appliesEach() {
    String a = "ev5a-" + run;
    String b = "ev5b-" + run;
    store
        .applyEvents(
            List.of(
                UserEvent.watch(run + "-1", a, "v1", 5, 1),
                UserEvent.watch(run + "-2", b, "v2", 5, 1)))
        .await();
    assertEquals("v1", stored(a).history().get(0).video());
    assertEquals("v2", stored(b).history().get(0).video());
  }

  @Test
  void ping_openStore_succeeds(VertxTestContext ctx) {
    store.ping().onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void kind_isNamed() {
    assertTrue(List.of("redis", "embedded").contains(store.kind()));
  }
}
