package dev.funnel.retrieval;

import java.util.Arrays;
import java.util.List;

/**
 * Recall of an approximate index against the exact one: the mean, over queries, of |ANN top-K ∩
 * exact top-K| / K. Kept apart from speed measurement (CONVENTIONS.md §10), though it also reports
 * the median single-thread search time because it has the numbers at hand.
 */
public final class IndexRecall {
  private IndexRecall() {}

  /**
   * @param recall mean recall@k
   * @param minRecall the worst query's recall
   * @param medianAnnMicros median ANN search time on this thread
   * @param medianExactMicros median exact scan time on this thread
   */
  public record Result(
      int queries,
      int k,
      int beam,
      double recall,
      double minRecall,
      double medianAnnMicros,
      double medianExactMicros) {}

  /** Runs every query through both indexes (one thread). */
  public static Result measure(
      ExactIndex exact, GraphIndex ann, List<float[]> queries, int k, int beam) {
    if (queries.isEmpty()) {
      throw new IllegalArgumentException("no queries");
    }
    // Warm both paths so that the JIT is not measured.
    for (int i = 0; i < Math.min(50, queries.size()); i++) {
      ann.search(queries.get(i), k, beam, null);
    }
    double sum = 0;
    double min = 1;
    long[] annNanos = new long[queries.size()];
    long[] exactNanos = new long[queries.size()];
    for (int q = 0; q < queries.size(); q++) {
      float[] u = queries.get(q);
      long t0 = System.nanoTime();
      Candidates truth = exact.search(u, k, null);
      exactNanos[q] = System.nanoTime() - t0;
      Candidates got = ann.search(u, k, beam, null);
      int[] want = Arrays.copyOf(truth.ids(), truth.size());
      Arrays.sort(want);
      int hit = 0;
      for (int i = 0; i < got.size(); i++) {
        if (Arrays.binarySearch(want, got.ids()[i]) >= 0) {
          hit++;
        }
      }
      double r = truth.size() == 0 ? 1 : (double) hit / truth.size();
      sum += r;
      min = Math.min(min, r);
    }
    // Time the ANN searches in a pass of their own: right after an exact scan (256 MB of rows
    // streamed through the caches at RW-1M) the graph is cold, which is not how it serves.
    for (int q = 0; q < queries.size(); q++) {
      long t0 = System.nanoTime();
      ann.search(queries.get(q), k, beam, null);
      annNanos[q] = System.nanoTime() - t0;
    }
    return new Result(
        queries.size(),
        k,
        beam,
        sum / queries.size(),
        min,
        median(annNanos) / 1e3,
        median(exactNanos) / 1e3);
  }

  private static double median(long[] v) {
    long[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
