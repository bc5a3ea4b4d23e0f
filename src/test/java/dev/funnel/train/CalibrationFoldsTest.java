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
}
