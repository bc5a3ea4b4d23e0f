package dev.funnel.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.config.ConfigKey;
import dev.funnel.features.UserProfile;
import dev.funnel.models.VideoCatalog;
import dev.funnel.testing.FunnelServerExtension;
import dev.funnel.testing.FunnelServerExtension.RunningServer;
import dev.funnel.testing.Http;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The recommendation endpoints over real HTTP, real Redis and the real trained models. */
@ExtendWith(FunnelServerExtension.class)
class RecommendationsApiTest {
  private final RunningServer s;
  private final VideoCatalog catalog;

  RecommendationsApiTest(RunningServer s) {
    this.s = s;
    this.catalog = s.world.bundle.catalog();
  }

  private UserProfile userWithHistory() {
    return s.world.profiles.stream()
        .filter(p -> p.history().size() >= 10)
        .findFirst()
        .orElseThrow();
  }

  /** The list invariants every successful answer must hold. */
  private List<String> assertWellFormed(JsonObject body, int count, Set<String> forbidden) {
    JsonArray items = body.getJsonArray("items");
    assertEquals(count, items.size(), "exactly count items");
    List<String> videos = new ArrayList<>();
    double previous = Double.POSITIVE_INFINITY;
    for (int i = 0; i < items.size(); i++) {
      JsonObject item = items.getJsonObject(i);
      String video = item.getString("video");
      double score = item.getDouble("score");
      assertTrue(catalog.index(video) >= 0, video + " is not a known video");
      assertFalse(forbidden.contains(video), video + " must not be recommended");
      assertTrue(score <= previous, "scores must be sorted descending");
      previous = score;
      videos.add(video);
    }
    assertEquals(videos.size(), new HashSet<>(videos).size(), "no duplicates");
    assertEquals(s.world.bundle.version(), body.getString("model"));
    return videos;
  }

  private static Set<String> watched(UserProfile p) {
    return p.history().stream().map(UserProfile.Watched::video).collect(Collectors.toSet());
  }

  @Test
  void getRecommendations_knownUsers_holdAtMostMaxPerTopicOfOneTopic() {
    int cap = Integer.parseInt(ConfigKey.SERVING_MAX_PER_TOPIC.defaultValue());
    List<UserProfile> users =
        s.world.profiles.stream().filter(p -> p.history().size() >= 10).limit(20).toList();
    int topicsSeen = 0;
    for (UserProfile user : users) {
      Http.Reply r = Http.get(s.url("/v1/recommendations/" + user.userId() + "?count=20"));
      assertEquals(200, r.status());
      List<String> videos = assertWellFormed(r.json(), 20, watched(user));
      java.util.Map<String, Long> perTopic =
          videos.stream()
              .collect(
                  Collectors.groupingBy(
                      v -> catalog.topic(catalog.index(v)), Collectors.counting()));
      perTopic.forEach(
          (topic, n) ->
              assertTrue(n <= cap, user.userId() + ": " + n + " videos of " + topic + " > " + cap));
      topicsSeen += perTopic.size();
    }
    assertEquals(20, users.size());
    assertTrue(
        topicsSeen >= users.size() * (20 / cap), "a list of 20 spans at least 20/cap topics");
  }

  @Test
  void getRecommendations_knownUser_returnsCountUnwatchedKnownVideosByScore() {
    UserProfile user = userWithHistory();
    Http.Reply r = Http.get(s.url("/v1/recommendations/" + user.userId() + "?count=20"));
    assertEquals(200, r.status());
    assertTrue(r.contentType().startsWith("application/json"));
    JsonObject body = r.json();
    assertEquals(user.userId(), body.getString("user"));
    assertEquals(true, body.getBoolean("personalized"));
    assertEquals(false, body.getBoolean("degraded"));
    assertWellFormed(body, 20, watched(user));
    assertNotNull(r.header("Server-Timing"));
  }

  @Test
  void getRecommendations_noCount_returnsDefaultTwenty() {
    UserProfile user = userWithHistory();
    JsonObject body = Http.get(s.url("/v1/recommendations/" + user.userId())).json();
    assertWellFormed(body, 20, watched(user));
  }

  @Test
  void getRecommendations_largeCount_returnsExactlyCount() {
    UserProfile user = userWithHistory();
    int count = Math.min(400, catalog.size() - 60);
    JsonObject body =
        Http.get(s.url("/v1/recommendations/" + user.userId() + "?count=" + count)).json();
    assertWellFormed(body, count, watched(user));
  }

  @Test
  void getRecommendations_unknownUser_isFlaggedNotPersonalized() {
    Http.Reply r = Http.get(s.url("/v1/recommendations/no-such-user-42?count=10"));
    assertEquals(200, r.status());
    JsonObject body = r.json();
    assertEquals("no-such-user-42", body.getString("user"));
    assertEquals(false, body.getBoolean("personalized"));
    assertEquals(false, body.getBoolean("degraded"));
    assertWellFormed(body, 10, Set.of());
  }

  @Test
  void postRecommendations_oneTopicHistory_leadsWithThatTopicUpToTheCap() {
    // The most popular topic's most popular videos: what the model has seen most.
    int[] popular = s.world.bundle.popular();
    String topic = catalog.topic(popular[0]);
    List<String> history = new ArrayList<>();
    for (int i = 0; i < popular.length && history.size() < 10; i++) {
      if (catalog.topic(popular[i]).equals(topic)) {
        history.add(catalog.id(popular[i]));
      }
    }
    String body = new JsonObject().put("history", new JsonArray(history)).put("count", 20).encode();
    Http.Reply r = Http.postJson(s.url("/v1/recommendations"), body);
    assertEquals(200, r.status(), r.raw().body());
    JsonObject json = r.json();
    assertEquals(true, json.getBoolean("personalized"));
    List<String> videos = assertWellFormed(json, 20, new HashSet<>(history));
    long same = videos.stream().filter(v -> catalog.topic(catalog.index(v)).equals(topic)).count();
    // The model follows the history; the variety step then caps the topic (serving.max-per-topic).
    int cap = Integer.parseInt(ConfigKey.SERVING_MAX_PER_TOPIC.defaultValue());
    assertEquals(topic, catalog.topic(catalog.index(videos.get(0))), "the best is of the topic");
    assertEquals(cap, same, same + " of 20 from topic " + topic);
  }

  @Test
  void postRecommendations_anonymousWithContext_isNotPersonalized() {
    String body =
        "{\"context\":{\"geo\":\"US\",\"language\":\"en\",\"gender\":\"m\",\"age\":25,"
            + "\"searches\":[\"music\"]},\"count\":5}";
    Http.Reply r = Http.postJson(s.url("/v1/recommendations"), body);
    assertEquals(200, r.status(), r.raw().body());
    assertEquals(false, r.json().getBoolean("personalized"));
    assertWellFormed(r.json(), 5, Set.of());
  }

  @Test
  void postRecommendations_storedUserWithHistoryAndExclude_excludesAll() {
    UserProfile user = userWithHistory();
    // Exclude what this user would otherwise get first, and add two more watches in the body.
    List<String> first =
        assertWellFormed(
            Http.get(s.url("/v1/recommendations/" + user.userId() + "?count=5")).json(),
            5,
            watched(user));
    List<String> extra = List.of(catalog.id(s.world.bundle.popular()[0]), "not-a-video");
    JsonObject body =
        new JsonObject()
            .put("user", user.userId())
            .put("history", new JsonArray(extra))
            .put("exclude", new JsonArray(first))
            .put("count", 15);
    Http.Reply r = Http.postJson(s.url("/v1/recommendations"), body.encode());
    assertEquals(200, r.status(), r.raw().body());
    Set<String> forbidden = new HashSet<>(watched(user));
    forbidden.addAll(first);
    forbidden.add(extra.get(0));
    assertWellFormed(r.json(), 15, forbidden);
    assertEquals(true, r.json().getBoolean("personalized"));
  }

  @Test
  void related_knownVideo_excludesPlayingVideo() {
    String playing = catalog.id(s.world.bundle.popular()[0]);
    Http.Reply r = Http.get(s.url("/v1/videos/" + playing + "/related?count=12"));
    assertEquals(200, r.status(), r.raw().body());
    assertEquals(playing, r.json().getString("video"));
    assertWellFormed(r.json(), 12, Set.of(playing));
  }

  @Test
  void related_withUser_excludesPlayingVideoAndHistory() {
    UserProfile user = userWithHistory();
    String playing = catalog.id(s.world.bundle.popular()[1]);
    Http.Reply r =
        Http.get(s.url("/v1/videos/" + playing + "/related?count=10&user=" + user.userId()));
    assertEquals(200, r.status(), r.raw().body());
    Set<String> forbidden = new HashSet<>(watched(user));
    forbidden.add(playing);
    assertWellFormed(r.json(), 10, forbidden);
    assertEquals(true, r.json().getBoolean("personalized"));
  }

  @Test
  void serving_manyRequests_neverBlocksAnEventLoop() {
    UserProfile user = userWithHistory();
    for (int i = 0; i < 30; i++) {
      assertEquals(200, Http.get(s.url("/v1/recommendations/" + user.userId())).status());
    }
    assertEquals(List.of(), s.eventLoopBlocks().stream().map(Object::toString).toList());
  }
}
