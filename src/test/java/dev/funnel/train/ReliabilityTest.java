package dev.funnel.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The reliability table's per-decile ratio and its bootstrap interval. */
class ReliabilityTest {
  /** Rows predicting {@code predicted} where a fifth of them click and watch Exp(mean) seconds. */
  private static List<float[]> rows(int n, double mean, float predicted, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<float[]> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      boolean click = rnd.nextDouble() < 0.2;
      float watch = click ? (float) (-mean * Math.log(1 - rnd.nextDouble())) : 0f;
      rows.add(new float[] {predicted + i * 1e-6f, 0, click ? 1 : 0, watch});
    }
    return rows;
  }

  private static double width(JsonArray bins) {
    double sum = 0;
    for (int b = 0; b < bins.size(); b++) {
      JsonObject bin = bins.getJsonObject(b);
      sum += bin.getDouble("ratio_high") - bin.getDouble("ratio_low");
    }
    return sum / bins.size();
  }

  @Test
  void reliability_calibratedScores_intervalsHoldOneAndShrinkWithMoreRows() {
    // Expected watch 0.2 × 100 = 20 s, predicted 20 s: every true ratio is 1.
    JsonArray small = Evaluator.reliability(rows(5_000, 100, 20f, 1), 200);
    JsonArray large = Evaluator.reliability(rows(80_000, 100, 20f, 2), 200);
    int covered = 0;
    for (int b = 0; b < large.size(); b++) {
      JsonObject bin = large.getJsonObject(b);
      assertTrue(bin.getDouble("ratio_low") <= bin.getDouble("ratio"), bin.encode());
      assertTrue(bin.getDouble("ratio") <= bin.getDouble("ratio_high"), bin.encode());
      covered += bin.getDouble("ratio_low") <= 1 && 1 <= bin.getDouble("ratio_high") ? 1 : 0;
    }
    assertTrue(covered >= 8, "the true ratio 1 within most 95% intervals: " + large.encode());
    // 16× the rows: intervals about 4× narrower.
    double ratio = width(small) / width(large);
    assertTrue(ratio > 3 && ratio < 5.5, "width ratio " + ratio);
  }

  @Test
  void reliability_withoutResamples_noInterval() {
    JsonArray bins = Evaluator.reliability(rows(2_000, 100, 20f, 3), 0);
    assertEquals(Evaluator.RELIABILITY_BINS, bins.size());
    assertFalse(bins.getJsonObject(0).containsKey("ratio_low"));
  }
}
