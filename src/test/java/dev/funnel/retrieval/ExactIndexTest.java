package dev.funnel.retrieval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ExactIndexTest {
  private static final int V = 3000;
  private static final int D = 16;
  private final Random random = new Random(7);
  private final float[] vectors = gaussian(V * D);
  private final float[] bias = gaussian(V);
  private final ExactIndex index = ExactIndex.build(vectors, bias, D);

  private float[] gaussian(int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) random.nextGaussian();
    }
    return x;
  }

  /** Brute force in double precision: sort all videos by u·w + b. */
  private int[] bruteForce(float[] u, int k, IntPredicate excluded) {
    double[] score = new double[V];
    for (int v = 0; v < V; v++) {
      double s = bias[v];
      for (int j = 0; j < D; j++) {
        s += (double) u[j] * vectors[v * D + j];
      }
      score[v] = s;
    }
    return IntStream.range(0, V)
        .filter(v -> excluded == null || !excluded.test(v))
        .boxed()
        .sorted(Comparator.comparingDouble((Integer v) -> -score[v]))
        .limit(k)
        .mapToInt(Integer::intValue)
        .toArray();
  }

  @Test
  void search_randomQueries_matchesBruteForce() {
    for (int q = 0; q < 20; q++) {
      float[] u = gaussian(D);
      Candidates c = index.search(u, 300, null);
      assertEquals(300, c.size());
      assertArrayEquals(bruteForce(u, 300, null), c.ids());
    }
  }

  @Test
  void search_scores_areInnerProductPlusBiasDescending() {
    float[] u = gaussian(D);
    Candidates c = index.search(u, 50, null);
    for (int i = 0; i < c.size(); i++) {
      int v = c.ids()[i];
      double s = bias[v];
      for (int j = 0; j < D; j++) {
        s += (double) u[j] * vectors[v * D + j];
      }
      assertEquals(s, c.scores()[i], 1e-4);
      if (i > 0) {
        assertEquals(true, c.scores()[i - 1] >= c.scores()[i]);
      }
    }
  }

  @Test
  void search_withExclusions_skipsThemAndStillReturnsK() {
    float[] u = gaussian(D);
    int[] top = index.search(u, 100, null).ids();
    // Exclude the best 40 and every multiple of 3.
    java.util.Set<Integer> banned = new java.util.HashSet<>();
    Arrays.stream(top, 0, 40).forEach(banned::add);
    IntPredicate excluded = v -> banned.contains(v) || v % 3 == 0;
    Candidates c = index.search(u, 100, excluded);
    assertEquals(100, c.size());
    assertArrayEquals(bruteForce(u, 100, excluded), c.ids());
  }

  @Test
  void search_kLargerThanCatalogue_returnsEveryVideoOnce() {
    float[] u = gaussian(D);
    Candidates c = index.search(u, V + 500, v -> v < 10);
    assertEquals(V - 10, c.size());
    assertEquals(V - 10, Arrays.stream(c.ids()).distinct().count());
  }

  @Test
  void search_kZero_isEmpty() {
    assertEquals(0, index.search(gaussian(D), 0, null).size());
  }

  @Test
  void search_wrongDimensions_throws() {
    assertThrows(IllegalArgumentException.class, () -> index.search(new float[D + 1], 5, null));
  }

  @Test
  void build_vectorsNotMatchingBias_throws() {
    assertThrows(
        IllegalArgumentException.class, () -> ExactIndex.build(new float[10], new float[3], 4));
  }
}
