package dev.funnel.quality;

/**
 * One method of the quality report (a baseline, the retrieval stage alone, or the full funnel):
 * given a user of the split's training side, a ranked list of videos. Implementations are trained
 * on the training side only and are not thread-safe.
 */
public interface Recommender {

  /** Short name for tables and charts. */
  String name();

  /**
   * The top {@code k} dense video ids for {@code user}, best first, never an excluded one.
   *
   * @param excluded per dense video id: true when it must not be recommended (already watched)
   */
  int[] recommend(int user, int k, boolean[] excluded);

  /** Top {@code k} indices of {@code scores} that are not excluded, best first (ties: lower id). */
  static int[] topK(float[] scores, boolean[] excluded, int k) {
    int n = 0;
    int[] heap = new int[k]; // min-heap on score of the best k so far
    for (int v = 0; v < scores.length; v++) {
      if (excluded != null && excluded[v]) {
        continue;
      }
      if (n < k) {
        heap[n] = v;
        siftUp(heap, n++, scores);
      } else if (better(v, heap[0], scores)) {
        heap[0] = v;
        siftDown(heap, n, scores);
      }
    }
    int[] out = new int[n];
    for (int i = n - 1; i >= 0; i--) {
      out[i] = heap[0];
      heap[0] = heap[i];
      siftDown(heap, i, scores);
    }
    return out;
  }

  private static boolean better(int a, int b, float[] s) {
    return s[a] > s[b] || (s[a] == s[b] && a < b);
  }

  private static void siftUp(int[] h, int i, float[] s) {
    while (i > 0) {
      int p = (i - 1) / 2;
      if (better(h[p], h[i], s)) {
        int t = h[p];
        h[p] = h[i];
        h[i] = t;
        i = p;
      } else {
        return;
      }
    }
  }

  private static void siftDown(int[] h, int n, float[] s) {
    int i = 0;
    while (true) {
      int l = 2 * i + 1;
      int r = l + 1;
      int m = i;
      if (l < n && better(h[m], h[l], s)) {
        m = l;
      }
      if (r < n && better(h[m], h[r], s)) {
        m = r;
      }
      if (m == i) {
        return;
      }
      int t = h[m];
      h[m] = h[i];
      h[i] = t;
      i = m;
    }
  }
}
