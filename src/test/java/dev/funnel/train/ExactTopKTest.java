package dev.funnel.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The batched scan against a plain loop over every video, and the evaluator's ranks from it. */
class ExactTopKTest {
  private static final int VIDEOS = 1_000;
  private static final int DIMS = 8;

  private static float[] random(int n, SplittableRandom rnd) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    return x;
  }

  private static float[] loopScores(float[] w, float[] b, float[] users, int row) {
    float[] s = new float[b.length];
    for (int v = 0; v < b.length; v++) {
      double dot = b[v];
      for (int j = 0; j < DIMS; j++) {
        dot += users[row * DIMS + j] * w[v * DIMS + j];
      }
      s[v] = (float) dot;
    }
    return s;
  }

  @Test
  void top_manyChunks_matchesLoopOverAllVideos() {
    SplittableRandom rnd = new SplittableRandom(3);
    float[] w = random(VIDEOS * DIMS, rnd);
    float[] b = random(VIDEOS, rnd);
    int rows = 5;
    float[] users = random(rows * DIMS, rnd);
    int k = 40;
    // 128-video chunks: the last is short, and buffers fill and are cut back many times.
    try (ExactTopK scan = new ExactTopK(w, b, DIMS, 128)) {
      int[] ks = new int[rows];
      Arrays.fill(ks, k);
      ks[1] = 3; // each user has its own k
      ExactTopK.Result top = scan.top(users, rows, ks);
      for (int r = 0; r < rows; r++) {
        float[] s = loopScores(w, b, users, r);
        int[] expected =
            IntStream.range(0, VIDEOS)
                .boxed()
                .sorted(Comparator.comparingDouble((Integer v) -> -s[v]))
                .limit(ks[r])
                .mapToInt(Integer::intValue)
                .toArray();
        int[] got = top.ids()[r];
        assertArrayEquals(expected, got, "row " + r);
        for (int i = 0; i < got.length; i++) {
          assertEquals(s[got[i]], top.scores()[r][i], 1e-4f);
        }
      }
    }
  }

  @Test
  void top_kBeyondCatalogue_isRejected() {
    try (ExactTopK scan = new ExactTopK(new float[4 * DIMS], new float[4], DIMS)) {
      assertThrows(
          IllegalArgumentException.class, () -> scan.top(new float[DIMS], 1, new int[] {5}));
    }
  }

  @Test
  void rankInTop_withExclusions_equalsRankOverAllVideos() {
    SplittableRandom rnd = new SplittableRandom(5);
    float[] w = random(VIDEOS * DIMS, rnd);
    float[] b = random(VIDEOS, rnd);
    float[] users = random(DIMS, rnd);
    try (ExactTopK scan = new ExactTopK(w, b, DIMS, 300)) {
      int k = 120;
      ExactTopK.Result result = scan.top(users, 1, new int[] {k});
      int[] ids = result.ids()[0];
      float[] scores = result.scores()[0];
      float[] s = new float[VIDEOS];
      for (int i = 0; i < k; i++) {
        s[ids[i]] = scores[i];
      }
      // Scores of videos outside the list only matter as "below the list".
      float floor = scores[k - 1];
      for (int v = 0; v < VIDEOS; v++) {
        boolean listed = false;
        for (int i = 0; i < k; i++) {
          listed |= ids[i] == v;
        }
        if (!listed) {
          s[v] = floor - 1;
        }
      }
      boolean[] excluded = new boolean[VIDEOS];
      for (int i = 0; i < 20; i++) {
        excluded[ids[rnd.nextInt(k)]] = true;
      }
      for (int i = 0; i < k; i++) {
        int target = ids[i];
        if (!excluded[target]) {
          assertEquals(
              Evaluator.rank(s, excluded, target),
              Evaluator.rankInTop(ids, scores, excluded, target),
              "target at " + i);
        }
      }
      int outside = -1;
      for (int v = 0; v < VIDEOS && outside < 0; v++) {
        if (s[v] < floor) {
          outside = v;
        }
      }
      assertEquals(k, Evaluator.rankInTop(ids, scores, excluded, outside));
    }
  }

  @Test
  void sortedRank_withManyTies_equalsRankOverAllVideos() {
    SplittableRandom rnd = new SplittableRandom(9);
    float[] scores = new float[VIDEOS];
    for (int v = 0; v < VIDEOS; v++) {
      scores[v] = rnd.nextInt(6); // popularity counts: mostly ties
    }
    float[] sorted = scores.clone();
    Arrays.sort(sorted);
    for (int trial = 0; trial < 200; trial++) {
      int target = rnd.nextInt(VIDEOS);
      boolean[] excluded = new boolean[VIDEOS];
      int[] list =
          rnd.ints(rnd.nextInt(50), 0, VIDEOS).distinct().filter(v -> v != target).toArray();
      for (int v : list) {
        excluded[v] = true;
      }
      assertEquals(
          Evaluator.rank(scores, excluded, target),
          Evaluator.sortedRank(scores, sorted, list, target),
          "trial " + trial);
    }
  }
}
