package dev.funnel.data.generate;

/**
 * Sampling from discrete distributions given as cumulative weight arrays: O(n) to build, O(log n)
 * per draw, and rebuilt in place when the weights change (every time slice, as videos age).
 */
final class Sampling {
  private Sampling() {}

  static double[] cumulative(double[] weights) {
    double[] cum = new double[weights.length];
    double sum = 0;
    for (int i = 0; i < weights.length; i++) {
      sum += weights[i];
      cum[i] = sum;
    }
    return cum;
  }

  /** Index drawn with probability proportional to its weight; u uniform in [0, 1). */
  static int pick(double[] cum, double u) {
    return pickSegment(cum, 0, cum.length, u);
  }

  /**
   * Index in [from, to) of a segment whose cumulative sums restart at 0 at {@code from}; u uniform
   * in [0, 1). The segment must be non-empty with a positive total.
   */
  static int pickSegment(double[] cum, int from, int to, double u) {
    double x = u * cum[to - 1];
    int lo = from;
    int hi = to - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cum[mid] > x) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }
}
