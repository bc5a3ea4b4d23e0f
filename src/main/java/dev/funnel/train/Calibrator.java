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

  /**
   * @param logits the network's logit of each held-out example
   * @param seconds each example's watch seconds (0 when not clicked)
   * @param bins the most knots the table may have
   * @throws IllegalArgumentException without examples
   */
  static WatchTimeCalibration fit(float[] logits, float[] seconds, int bins) {
    int n = logits.length;
    if (n == 0 || seconds.length != n || bins < 1) {
      throw new IllegalArgumentException("calibration needs examples, one watch time each");
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Float.compare(logits[a], logits[b]));
    // Blocks as a stack: sums of logit and seconds, and counts.
    double[] sumX = new double[bins + 1];
    double[] sumY = new double[bins + 1];
    long[] count = new long[bins + 1];
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
    float[] x = new float[top];
    float[] y = new float[top];
    int knots = 0;
    for (int b = 0; b < top; b++) {
      float kx = (float) (sumX[b] / count[b]);
      float ky = Math.max(MIN_SECONDS, (float) (sumY[b] / count[b]));
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
}
