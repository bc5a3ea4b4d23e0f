package dev.funnel.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.features.UserProfile;
import dev.funnel.models.FeatureEncoder;
import dev.funnel.models.VideoCatalog;
import dev.funnel.testing.FunnelServerExtension;
import dev.funnel.testing.FunnelServerExtension.RunningServer;
import dev.funnel.testing.Http;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code ?explain=true} over real HTTP, real Redis and the real trained models. */
@ExtendWith(FunnelServerExtension.class)
class ExplainApiTest {
  private static final int K = 300; // serving.candidates default

  private final RunningServer s;
  private final VideoCatalog catalog;

  ExplainApiTest(RunningServer s) {
    this.s = s;
    this.catalog = s.world.bundle.catalog();
  }

  private UserProfile userWithHistory() {
    return s.world.profiles.stream()
        .filter(p -> p.history().size() >= 10)
        .findFirst()
        .orElseThrow();
  }

  private static JsonObject stage(JsonObject explain, String name) {
    return explain.getJsonArray("stages").stream()
        .map(JsonObject.class::cast)
        .filter(st -> st.getString("stage").equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no stage " + name));
  }

  @Test
  void getRecommendations_explainTrue_describesEveryStageAndReturnedVideo() {
    UserProfile user = userWithHistory();
    Http.Reply r =
        Http.get(s.url("/v1/recommendations/" + user.userId() + "?count=20&explain=true"));
    assertEquals(200, r.status(), r.raw().body());
    JsonObject body = r.json();
    JsonObject explain = body.getJsonObject("explain");
    assertEquals("ranked", explain.getString("path"));
    assertNull(explain.getString("reason"));
    JsonObject u = explain.getJsonObject("user");
    assertEquals(true, u.getBoolean("profile_found"));
    assertEquals(user.history().size(), u.getInteger("history"));
    assertTrue(u.getInteger("excluded") >= 1);

    List<String> names =
        explain.getJsonArray("stages").stream()
            .map(o -> ((JsonObject) o).getString("stage"))
            .toList();
    assertEquals(List.of("features", "queue", "tower", "index", "rank"), names);
    JsonObject index = stage(explain, "index");
    assertEquals(catalog.size(), index.getInteger("in"));
    assertEquals(K, index.getInteger("out"));
    JsonObject rank = stage(explain, "rank");
    assertEquals(K, rank.getInteger("in"));
    assertEquals(20, rank.getInteger("out"));
    double stagesMs = 0;
    for (Object o : explain.getJsonArray("stages")) {
      JsonObject st = (JsonObject) o;
      assertEquals(true, st.getBoolean("ran"), st.encode());
      assertTrue(st.getDouble("ms") >= 0, st.encode());
      stagesMs += st.getDouble("ms");
    }
    assertTrue(explain.getDouble("total_ms") + 0.01 >= stagesMs, explain.encode());

    JsonArray items = body.getJsonArray("items");
    JsonArray described = explain.getJsonArray("items");
    assertEquals(20, described.size());
    assertEquals(0, explain.getInteger("items_omitted"));
    for (int i = 0; i < items.size(); i++) {
      JsonObject item = items.getJsonObject(i);
      JsonObject d = described.getJsonObject(i);
      int dense = catalog.index(item.getString("video"));
      assertEquals(item.getString("video"), d.getString("video"));
      assertEquals(catalog.title(dense), d.getString("title"));
      assertEquals(catalog.topic(dense), d.getString("topic"));
      assertEquals(item.getDouble("score"), d.getDouble("score"));
      assertEquals(item.getDouble("score"), d.getDouble("ranker_score"));
      int retrievalRank = d.getJsonObject("retrieval").getInteger("rank");
      assertTrue(retrievalRank >= 1 && retrievalRank <= K, d.encode());
      JsonObject features = d.getJsonObject("features");
      assertEquals(FeatureEncoder.RANKER_RAW_NAMES, List.copyOf(features.fieldNames()));
      for (String f : FeatureEncoder.RANKER_RAW_NAMES) {
        double cdf = features.getJsonObject(f).getDouble("cdf");
        assertTrue(cdf >= 0 && cdf <= 1, f + " " + cdf);
      }
      assertEquals(
          d.getJsonObject("retrieval").getDouble("score"),
          features.getJsonObject("retrieval_score").getDouble("raw"),
          1e-3);
    }
  }

  @Test
  void getRecommendations_explainAbsentOrFalse_answerHasNoExplainMember() {
    UserProfile user = userWithHistory();
    JsonObject plain = Http.get(s.url("/v1/recommendations/" + user.userId())).json();
    JsonObject off =
        Http.get(s.url("/v1/recommendations/" + user.userId() + "?explain=false")).json();
    assertFalse(plain.containsKey("explain"));
    assertFalse(off.containsKey("explain"));
    assertEquals(plain.getJsonArray("items"), off.getJsonArray("items"));
  }

  @Test
  void getRecommendations_explainChangesNothingInTheAnswer() {
    UserProfile user = userWithHistory();
    JsonObject plain = Http.get(s.url("/v1/recommendations/" + user.userId())).json();
    JsonObject explained =
        Http.get(s.url("/v1/recommendations/" + user.userId() + "?explain=true")).json();
    explained.remove("explain");
    assertEquals(plain, explained);
  }

  @Test
  void getRecommendations_largeCount_describesAtMostFiftyItems() {
    UserProfile user = userWithHistory();
    JsonObject explain =
        Http.get(s.url("/v1/recommendations/" + user.userId() + "?count=120&explain=true"))
            .json()
            .getJsonObject("explain");
    assertEquals(50, explain.getJsonArray("items").size());
    assertEquals(70, explain.getInteger("items_omitted"));
    assertEquals(120, stage(explain, "rank").getInteger("out"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"explain=yes", "explain=1", "explain=", "explain=true&explain=true"})
  void getRecommendations_badExplain_is400Problem(String query) {
    Http.Reply r = Http.get(s.url("/v1/recommendations/u1?" + query));
    ErrorResponsesApiTest.assertProblem(r, 400);
  }

  @Test
  void postRecommendations_anonymousExplain_saysNoProfile() {
    Http.Reply r = Http.postJson(s.url("/v1/recommendations?explain=true"), "{\"count\":5}");
    assertEquals(200, r.status(), r.raw().body());
    JsonObject explain = r.json().getJsonObject("explain");
    assertEquals(false, explain.getJsonObject("user").getBoolean("profile_found"));
    assertEquals(0, explain.getJsonObject("user").getInteger("history"));
    assertEquals(5, explain.getJsonArray("items").size());
  }

  @Test
  void related_explainTrue_countsThePlayingVideoInHistory() {
    String playing = catalog.id(s.world.bundle.popular()[0]);
    Http.Reply r = Http.get(s.url("/v1/videos/" + playing + "/related?count=8&explain=true"));
    assertEquals(200, r.status(), r.raw().body());
    JsonObject explain = r.json().getJsonObject("explain");
    assertEquals(1, explain.getJsonObject("user").getInteger("history"));
    assertEquals(1, explain.getJsonObject("user").getInteger("excluded"));
    assertEquals(8, explain.getJsonArray("items").size());
    assertTrue(
        explain.getJsonArray("items").stream()
            .noneMatch(o -> ((JsonObject) o).getString("video").equals(playing)));
  }
}
