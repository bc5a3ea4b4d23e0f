package dev.funnel.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Users are split into calibration folds evenly, and a user's examples stay in one fold. */
class CalibrationFoldsTest {
  @Test
  void foldOf_consecutiveUsers_spreadEvenlyAndStable() {
    int folds = 3;
    int[] size = new int[folds];
    int users = 9_000;
    for (int u = 0; u < users; u++) {
      int f = RankerTrainer.foldOf(u, folds, 48);
      assertTrue(f >= 0 && f < folds, "fold " + f);
      assertEquals(f, RankerTrainer.foldOf(u, folds, 48), "same user, same fold");
      size[f]++;
    }
    for (int s : size) {
      assertTrue(Math.abs(s - users / folds) < users / folds / 10, java.util.Arrays.toString(size));
    }
    int differ = 0;
    for (int u = 0; u < 1_000; u++) {
      differ += RankerTrainer.foldOf(u, 2, 48) != RankerTrainer.foldOf(u, 2, 49) ? 1 : 0;
    }
    assertTrue(differ > 300 && differ < 700, "another seed reshuffles the folds: " + differ);
  }

  @Test
  void toServedScale_knotsMoveToTheSameQuantileOfTheServedLogits() {
    // The same 1,000 examples: fold logits 0..999, the served ranker's 2x − 500 (wider, shifted).
    int n = 1000;
    float[] folds = new float[n];
    float[] served = new float[n];
    for (int i = 0; i < n; i++) {
      folds[i] = i;
      served[n - 1 - i] = 2f * (n - 1 - i) - 500f; // order of the arrays does not matter
    }
    var table =
        dev.funnel.models.WatchTimeCalibration.table(
            new float[] {100f, 500f, 900f}, new float[] {1f, 10f, 100f});
    var moved = RankerTrainer.toServedScale(table, folds, served);
    assertEquals(1f, moved.seconds(2f * 100 - 500), 1e-4f);
    assertEquals(10f, moved.seconds(2f * 500 - 500), 1e-4f);
    assertEquals(100f, moved.seconds(2f * 900 - 500), 1e-3f);
    assertTrue(moved.seconds(600f) > moved.seconds(500f), "still increasing between knots");
  }
}
