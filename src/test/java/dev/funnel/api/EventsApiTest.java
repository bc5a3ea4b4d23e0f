package dev.funnel.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.features.UserProfile;
import dev.funnel.testing.FunnelServerExtension;
import dev.funnel.testing.FunnelServerExtension.RunningServer;
import dev.funnel.testing.Http;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code POST /v1/events} over real HTTP against the real redis-server behind the test server. */
@ExtendWith(FunnelServerExtension.class)
class EventsApiTest {
  private final RunningServer s;
  private final String run = UUID.randomUUID().toString().substring(0, 8);

  EventsApiTest(RunningServer s) {
    this.s = s;
  }

  private Http.Reply post(String body) {
    return Http.postJson(s.url("/v1/events"), body);
  }

  private static String watch(String id, String user, String video, long ts) {
    return new JsonObject()
        .put("id", id)
        .put("type", "watch")
        .put("user", user)
        .put("video", video)
        .put("watch_seconds", 61.5)
        .put("ts", ts)
        .encode();
  }

  private static String batch(String... events) {
    return "{\"events\":[" + String.join(",", events) + "]}";
  }

  private List<String> recommended(String user) {
    Http.Reply r = Http.get(s.url("/v1/recommendations/" + user + "?count=50"));
    assertEquals(200, r.status(), r.raw().body());
    JsonArray items = r.json().getJsonArray("items");
    return items.stream().map(o -> ((JsonObject) o).getString("video")).toList();
  }

  @Test
  void events_watch_nextRecommendationExcludesWatchedVideo() {
    UserProfile user = s.world.profiles.get(3);
    List<String> before = recommended(user.userId());
    String top = before.get(0);
    Http.Reply r = post(batch(watch(run + "-w1", user.userId(), top, user.lastWatchTs() + 60)));
    assertEquals(202, r.status(), r.raw().body());
    assertEquals(new JsonObject().put("accepted", 1).put("duplicates", 0), r.json());
    // The 202 came after Redis acknowledged: the very next request sees the watch.
    assertFalse(recommended(user.userId()).contains(top), "watched video must be excluded");
    UserProfile stored = s.store.get(user.userId()).await().orElseThrow();
    assertEquals(top, stored.history().get(stored.history().size() - 1).video());
  }

  @Test
  void events_newUser_becomesPersonalized() {
    String user = "new-" + run;
    String video = s.world.bundle.catalog().id(s.world.bundle.popular()[5]);
    Http.Reply r =
        post(
            batch(
                watch(run + "-n1", user, video, 1_700_000_000L),
                new JsonObject()
                    .put("id", run + "-n2")
                    .put("type", "search")
                    .put("user", user)
                    .put("query", "Cats and Piano")
                    .put("ts", 1_700_000_001L)
                    .encode()));
    assertEquals(202, r.status(), r.raw().body());
    JsonObject rec = Http.get(s.url("/v1/recommendations/" + user)).json();
    assertEquals(true, rec.getBoolean("personalized"));
    assertEquals(
        List.of("cats", "and", "piano"), s.store.get(user).await().orElseThrow().searchTokens());
  }

  @Test
  void events_retriedBatch_countsDuplicatesAndAppliesOnce() {
    String user = "retry-" + run;
    String impression =
        new JsonObject()
            .put("id", run + "-i1")
            .put("type", "impression")
            .put("user", user)
            .put("video", "v1")
            .put("ts", 5)
            .encode();
    String body = batch(impression, watch(run + "-w2", user, "v2", 6));
    assertEquals(new JsonObject().put("accepted", 2).put("duplicates", 0), post(body).json());
    Http.Reply again = post(body);
    assertEquals(202, again.status());
    assertEquals(new JsonObject().put("accepted", 0).put("duplicates", 2), again.json());
    UserProfile p = s.store.get(user).await().orElseThrow();
    assertEquals(1, p.impressions("v1"));
    assertEquals(1, p.history().size());
  }

  @Test
  void events_oneBadEvent_400NamesItAndAppliesNothing() {
    String user = "bad-" + run;
    String good = watch(run + "-g", user, "v1", 5);
    String bad = "{\"id\":\"" + run + "-b\",\"type\":\"watch\",\"user\":\"" + user + "\",\"ts\":5}";
    Http.Reply r = post(batch(good, bad));
    assertEquals(400, r.status());
    assertEquals("application/problem+json", r.contentType());
    String detail = r.json().getString("detail");
    assertTrue(detail.contains("events[1]") && detail.contains(run + "-b"), detail);
    assertTrue(detail.contains("video is required"), detail);
    assertTrue(s.store.get(user).await().isEmpty(), "nothing of a rejected batch is applied");
  }

  @Test
  void events_invalidShapes_are400() {
    String[] bodies = {
      "{}",
      "[]",
      "{\"events\":[]}",
      "{\"events\":{}}",
      "{\"events\":[1]}",
      "{\"events\":[{}]}",
      "{\"events\":[],\"extra\":1}",
      batch("{\"id\":\"a\",\"type\":\"like\",\"user\":\"u\",\"video\":\"v\",\"ts\":1}"),
      batch("{\"id\":\"a\",\"type\":\"watch\",\"user\":\"u\",\"video\":\"v\",\"ts\":\"1\"}"),
      batch(
          "{\"id\":\"a\",\"type\":\"watch\",\"user\":\"u\",\"video\":\"v\",\"ts\":1700000000000}"),
      batch(
          "{\"id\":\"a\",\"type\":\"watch\",\"user\":\"u\",\"video\":\"v\",\"ts\":1,\"watch_seconds\":-1}"),
      batch(
          "{\"id\":\"a\",\"type\":\"impression\",\"user\":\"u\",\"video\":\"v\",\"ts\":1,\"watch_seconds\":1}"),
      batch(
          "{\"id\":\"a\",\"type\":\"search\",\"user\":\"u\",\"video\":\"v\",\"query\":\"x\",\"ts\":1}"),
      batch("{\"id\":\"a\",\"type\":\"search\",\"user\":\"u\",\"query\":\"  \",\"ts\":1}"),
      batch("{\"id\":\"a b\",\"type\":\"watch\",\"user\":\"u\",\"video\":\"v\",\"ts\":1}"),
      batch(
          "{\"id\":\"a\",\"type\":\"watch\",\"user\":\""
              + "u".repeat(129)
              + "\",\"video\":\"v\",\"ts\":1}"),
      batch(
          "{\"id\":\"a\",\"type\":\"watch\",\"user\":\"u\",\"video\":\"v\",\"ts\":1,\"colour\":1}"),
      "not json",
    };
    for (String body : bodies) {
      Http.Reply r = post(body);
      assertEquals(400, r.status(), body + " -> " + r.raw().body());
      assertEquals("application/problem+json", r.contentType());
    }
    StringBuilder many = new StringBuilder();
    for (int i = 0; i <= EventsBody.MAX_EVENTS; i++) {
      many.append(i == 0 ? "" : ",").append("{\"id\":\"m").append(i).append("\"}");
    }
    assertEquals(400, post(batch(many.toString())).status());
    assertEquals(415, Http.post(s.url("/v1/events"), "text/plain", "{}").status());
    assertEquals(405, Http.get(s.url("/v1/events")).status());
  }
}
