package dev.funnel.quality;

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
}
