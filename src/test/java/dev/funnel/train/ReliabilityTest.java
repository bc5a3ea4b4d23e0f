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
  void reliability_correlatedUsers_userIntervalWiderThanImpressionInterval() {
    // 200 users of 100 impressions each; a user's click rate is theirs (0.02 to 0.38), so one
    // user's impressions move together and resampling them one by one understates the noise.
    SplittableRandom rnd = new SplittableRandom(4);
    List<float[]> rows = new ArrayList<>();
    for (int u = 0; u < 200; u++) {
      double ctr = 0.02 + 0.36 * rnd.nextDouble();
      for (int k = 0; k < 100; k++) {
        boolean click = rnd.nextDouble() < ctr;
        float watch = click ? (float) (-100 * Math.log(1 - rnd.nextDouble())) : 0f;
        rows.add(new float[] {20f + rows.size() * 1e-6f, 0, click ? 1 : 0, watch, 0, u});
      }
    }
    JsonArray bins = Evaluator.reliability(rows, 200);
    double impressions = 0;
    double users = 0;
    for (int b = 0; b < bins.size(); b++) {
      JsonObject bin = bins.getJsonObject(b);
      assertTrue(bin.getDouble("user_ratio_low") <= bin.getDouble("ratio"), bin.encode());
      assertTrue(bin.getDouble("ratio") <= bin.getDouble("user_ratio_high"), bin.encode());
      impressions += bin.getDouble("ratio_high") - bin.getDouble("ratio_low");
      users += bin.getDouble("user_ratio_high") - bin.getDouble("user_ratio_low");
    }
    assertTrue(users > 1.3 * impressions, "user " + users + " vs impression " + impressions);
  }

  @Test
  void reliability_rowsWithoutUser_noUserInterval() {
    JsonArray bins = Evaluator.reliability(rows(2_000, 100, 20f, 5), 50);
    assertTrue(bins.getJsonObject(0).containsKey("ratio_low"));
    assertFalse(bins.getJsonObject(0).containsKey("user_ratio_low"));
  }

  @Test
  void reliability_withoutResamples_noInterval() {
    JsonArray bins = Evaluator.reliability(rows(2_000, 100, 20f, 3), 0);
    assertEquals(Evaluator.RELIABILITY_BINS, bins.size());
    assertFalse(bins.getJsonObject(0).containsKey("ratio_low"));
  }
}
