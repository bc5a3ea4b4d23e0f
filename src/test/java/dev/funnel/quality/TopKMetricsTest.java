package dev.funnel.quality;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TopKMetricsTest {
  private static final double EPS = 1e-9;

  private static int[] range(int from, int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = from + i;
    }
    return a;
  }

  @Test
  void add_hitAtRankZero_givesFullNdcgAndHit() {
    TopKMetrics m = new TopKMetrics(100);
    m.add(range(0, 50), new int[] {0});
    assertEquals(1.0, m.hitRate(0), EPS);
    assertEquals(1.0, m.recall(0), EPS);
    assertEquals(1.0, m.ndcg10(), EPS);
  }

  @Test
  void add_handComputedCase_matchesFormulas() {
    // User 1: targets {2, 40, 99}; the list is 0..49, so 2 is at rank 2 and 40 at rank 40.
    // User 2: target {77}: a miss everywhere.
    TopKMetrics m = new TopKMetrics(100);
    m.add(range(0, 50), new int[] {2, 40, 99});
    m.add(range(0, 50), new int[] {77});
    assertEquals(0.5, m.hitRate(0), EPS); // only user 1 hits in the top 10
    assertEquals((1.0 / 3) / 2, m.recall(0), EPS); // 1 of 3, and 0 of 1
    assertEquals((2.0 / 3) / 2, m.recall(1), EPS); // 2 of 3 in the top 50
    double dcg = 1 / (Math.log(4) / Math.log(2)); // rank 2 → 1/log2(4) = 0.5
    double idcg = 1 + 1 / (Math.log(3) / Math.log(2)) + 1 / (Math.log(4) / Math.log(2));
    assertEquals((dcg / idcg) / 2, m.ndcg10(), EPS);
    assertEquals(0.10, m.coverage(0), EPS); // videos 0..9 of 100
    assertEquals(0.50, m.coverage(1), EPS);
    assertEquals(2, m.users());
  }

  @Test
  void add_noHeldOutVideos_throws() {
    TopKMetrics m = new TopKMetrics(10);
    assertThrows(IllegalArgumentException.class, () -> m.add(range(0, 5), new int[0]));
  }

  @Test
  void topK_excludedAndTies_bestFirstLowerIdOnTies() {
    float[] scores = {0.5f, 0.9f, 0.9f, 0.1f, 0.7f};
    boolean[] excluded = {false, true, false, false, false};
    assertArrayEquals(new int[] {2, 4, 0}, Recommender.topK(scores, excluded, 3));
    assertArrayEquals(new int[] {1, 2}, Recommender.topK(scores, null, 2));
  }
}
