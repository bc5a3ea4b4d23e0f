package dev.funnel.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.pipeline.WatchNext;
import dev.funnel.testing.TestWorld;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The watch-next replay on the tiny world's trained model. */
class WatchNextEvaluationTest {

  @Test
  void evaluate_testSide_relatedFollowsThePlayingVideoAndBeatsTheHomeFeed() {
    TestWorld w = TestWorld.get();
    long cutoff = WatchNextEvaluation.cutoffOf(w.bundle);
    WatchNextEvaluation e =
        new WatchNextEvaluation(
            w.data, w.bundle, cutoff, new WatchNextEvaluation.Options(500, 20, 3L));
    try {
      JsonObject r = e.evaluate(WatchNextEvaluation.Side.TEST, WatchNext.Params.DEFAULT);
      String figures = r.encode();
      assertTrue(r.getInteger("pairs") >= 50, figures);
      assertTrue(r.getInteger("probes") >= 50, figures);
      // The old route (playing video appended to 50 history items) barely moved off the home feed.
      assertTrue(r.getDouble("overlap_probe") <= 10, figures);
      assertTrue(r.getDouble("overlap_append") > r.getDouble("overlap"), figures);
      // A few hundred pairs on the tiny world cannot order the two HitRates (RW-small can:
      // docs/quality.md); related must at least not be significantly worse than the home feed.
      assertTrue(r.getJsonArray("hit_related_minus_home_95").getDouble(1) >= 0, figures);
      assertTrue(r.getDouble("home_topics_per_list") >= 2, figures);
    } finally {
      e.close();
    }
  }

  @Test
  void choose_validationGrid_picksASettingWithinTheOverlapBound() {
    TestWorld w = TestWorld.get();
    long cutoff = WatchNextEvaluation.cutoffOf(w.bundle);
    WatchNextEvaluation e =
        new WatchNextEvaluation(
            w.data, w.bundle, cutoff, new WatchNextEvaluation.Options(60, 20, 3L));
    try {
      List<WatchNext.Params> grid =
          List.of(
              new WatchNext.Params(1f, 0, 0f, WatchNext.ItemVector.TOWER),
              new WatchNext.Params(0.5f, 100, 1f, WatchNext.ItemVector.TOWER));
      JsonObject r = e.choose(grid, 10);
      String figures = r.encode();
      assertTrue(r.getInteger("pairs") >= 30, figures);
      // α = 1 is the user vector alone: the home feed again, far above the bound.
      JsonObject homeLike = r.getJsonArray("grid").getJsonObject(0);
      assertTrue(homeLike.getDouble("overlap_probe") > 10, figures);
      assertTrue(r.getJsonObject("chosen").getFloat("alpha") < 1f, figures);
    } finally {
      e.close();
    }
  }

  @Test
  void variety_capOfTwo_spreadsHomeFeedsOverMoreTopicsThanNoCap() {
    TestWorld w = TestWorld.get();
    long cutoff = WatchNextEvaluation.cutoffOf(w.bundle);
    WatchNextEvaluation e =
        new WatchNextEvaluation(
            w.data, w.bundle, cutoff, new WatchNextEvaluation.Options(200, 20, 3L));
    try {
      JsonObject r = e.variety(WatchNextEvaluation.Side.TEST, new int[] {0, 2});
      String figures = r.encode();
      assertTrue(r.getInteger("pairs") >= 50, figures);
      JsonObject none = r.getJsonArray("rows").getJsonObject(0);
      JsonObject two = r.getJsonArray("rows").getJsonObject(1);
      // The generator's users favour a few topics: uncapped lists follow them.
      assertTrue(
          two.getJsonArray("topics_95").getDouble(0) > none.getJsonArray("topics_95").getDouble(1),
          figures);
      assertTrue(two.getDouble("topics_per_list") >= 8, "20 items, at most 2 per topic");
    } finally {
      e.close();
    }
  }

  @Test
  void chooseCap_smallestCapWithinTheLoss_elseNone() {
    JsonObject grid =
        new JsonObject()
            .put(
                "rows",
                new io.vertx.core.json.JsonArray()
                    .add(new JsonObject().put("max_per_topic", 0).put("hit", 0.20))
                    .add(new JsonObject().put("max_per_topic", 1).put("hit", 0.10))
                    .add(new JsonObject().put("max_per_topic", 2).put("hit", 0.185))
                    .add(new JsonObject().put("max_per_topic", 3).put("hit", 0.195))
                    .add(new JsonObject().put("max_per_topic", 4).put("hit", 0.21)));
    assertEquals(3, WatchNextEvaluation.chooseCap(grid, 0.05));
    assertEquals(2, WatchNextEvaluation.chooseCap(grid, 0.10));
    assertEquals(4, WatchNextEvaluation.chooseCap(grid, 0.0));
    assertEquals(
        0,
        WatchNextEvaluation.chooseCap(
            grid.copy()
                .put(
                    "rows",
                    new io.vertx.core.json.JsonArray()
                        .add(new JsonObject().put("max_per_topic", 0).put("hit", 0.2))
                        .add(new JsonObject().put("max_per_topic", 1).put("hit", 0.1))),
            0.05));
  }
}
