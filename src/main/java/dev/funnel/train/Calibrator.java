package dev.funnel.train;

import dev.funnel.models.WatchTimeCalibration;
import java.util.Arrays;

/**
 * Fits the ranker's {@link WatchTimeCalibration}: isotonic regression (pool adjacent violators) of
 * watch seconds on the logit, over examples the network did not train on. Examples are first
 * grouped into equal-count bins of logit, so that the table has at most {@code bins} knots and each
 * knot averages enough heavy-tailed watch times; PAV then merges neighbouring bins until their
 * means increase. Each knot sits at its block's mean logit with its block's mean watch seconds.
 *
 * <p>Why not only undo the odds (exp(logit) × (1 − CTR)): that is right only where the network fits
 * the weighted odds exactly; the table also corrects where it does not (extrapolation at the top,
 * over- and underfit), and it cannot reorder anything since it is monotone.
 */
final class Calibrator {
  /** Knots below this many seconds are raised to it: a table needs strictly positive values. */
  static final float MIN_SECONDS = 0.01f;

  private Calibrator() {}

  /** As {@link #fit(float[], float[], float[], int)} without caps. */
  static WatchTimeCalibration fit(float[] logits, float[] seconds, int bins) {
    return fit(logits, seconds, null, bins);
  }

  /**
   * @param logits the network's logit of each held-out example
   * @param seconds each example's watch seconds (0 when not clicked)
   * @param caps each example's cap on the served value (its video's duration; 0 or less: none), or
   *     null: serving caps the table's value at the duration, which only lowers it, so a block
   *     whose videos include some shorter than its mean would be served below its mean watch time
   *     (on RW-small the top deciles by 5–10%). With caps, each knot is the value v whose capped
   *     mean over its block, mean(min(v, cap)), is the block's mean watch time.
   * @param bins the most knots the table may have (one more at the low end: below)
   * @throws IllegalArgumentException without examples
   */
  static WatchTimeCalibration fit(float[] logits, float[] seconds, float[] caps, int bins) {
    int n = logits.length;
    if (n == 0 || seconds.length != n || bins < 1 || (caps != null && caps.length != n)) {
      throw new IllegalArgumentException("calibration needs examples, one watch time each");
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Float.compare(logits[a], logits[b]));
    // Blocks as a stack: sums of logit and seconds, counts, and where each starts in order.
    double[] sumX = new double[bins + 1];
    double[] sumY = new double[bins + 1];
    long[] count = new long[bins + 1];
    int[] first = new int[bins + 1];
    int top = 0;
    int i = 0;
    for (int b = 0; b < bins && i < n; b++) {
      int end = (int) Math.min(n, (long) n * (b + 1) / bins);
      end = Math.max(end, i + 1);
      // Equal logits stay in one bin, so knots have distinct positions.
      while (end < n && logits[order[end]] == logits[order[end - 1]]) {
        end++;
      }
      double x = 0;
      double y = 0;
      for (int k = i; k < end; k++) {
        x += logits[order[k]];
        y += seconds[order[k]];
      }
      sumX[top] = x;
      sumY[top] = y;
      count[top] = end - i;
      first[top] = i;
      top++;
      i = end;
      // Pool while the previous block's mean is not below the new one's.
      while (top > 1 && sumY[top - 2] * count[top - 1] >= sumY[top - 1] * count[top - 2]) {
        sumX[top - 2] += sumX[top - 1];
        sumY[top - 2] += sumY[top - 1];
        count[top - 2] += count[top - 1];
        top--;
      }
    }
    float[] x = new float[top + 1];
    float[] y = new float[top + 1];
    int knots = 0;
    for (int b = 0; b < top; b++) {
      float kx = (float) (sumX[b] / count[b]);
      double mean = sumY[b] / count[b];
      double value = caps == null ? mean : uncapped(mean, caps, order, first[b], count[b]);
      float ky = Math.max(MIN_SECONDS, (float) value);
      if (b == 0) {
        // Below its mean logit the table would fall off exponentially, so the lowest block's
        // lower half would be served far below its mean (the lowest decile at 0.75 of the watch
        // time): a knot at its lowest logit keeps the block near its mean.
        float low = logits[order[0]];
        if (low < kx && ky > MIN_SECONDS) {
          x[knots] = low;
          y[knots] = Math.max(MIN_SECONDS / 2, Math.nextDown(ky) * LOW_KNOT_SHARE);
          knots++;
        }
      }
      // Floats (and the floor) can tie what doubles kept apart: keep knots strictly increasing.
      if (knots > 0 && (kx <= x[knots - 1] || ky <= y[knots - 1])) {
        continue;
      }
      x[knots] = kx;
      y[knots] = ky;
      knots++;
    }
    return WatchTimeCalibration.table(Arrays.copyOf(x, knots), Arrays.copyOf(y, knots));
  }

  /** The lowest knot's value relative to the lowest block's (strictly below: knots increase). */
  static final float LOW_KNOT_SHARE = 0.99f;

  /**
   * The value v with mean(min(v, cap)) = mean over the block's examples (order[from, from +
   * count)); uncapped examples count v in full. The largest cap when even that falls short.
   */
  private static double uncapped(double mean, float[] caps, Integer[] order, int from, long count) {
    double lo = mean;
    double hi = mean;
    for (int k = from; k < from + count; k++) {
      float c = caps[order[k]];
      if (c > hi) {
        hi = c;
      }
    }
    boolean unbounded = false;
    for (int k = from; k < from + count && !unbounded; k++) {
      unbounded = !(caps[order[k]] > 0);
    }
    if (unbounded) {
      hi = Math.max(hi, mean) * 2 + 1; // uncapped rows make the capped mean reach any value
      while (cappedMean(hi, caps, order, from, count) < mean) {
        hi *= 2;
      }
    } else if (cappedMean(hi, caps, order, from, count) <= mean) {
      return hi;
    }
    for (int it = 0; it < 50 && hi - lo > 1e-4 * Math.max(1, mean); it++) {
      double mid = (lo + hi) / 2;
      if (cappedMean(mid, caps, order, from, count) < mean) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return (lo + hi) / 2;
  }

  private static double cappedMean(double v, float[] caps, Integer[] order, int from, long count) {
    double sum = 0;
    for (int k = from; k < from + count; k++) {
      float c = caps[order[k]];
      sum += c > 0 ? Math.min(v, c) : v;
    }
    return sum / count;
  }
}
