package dev.funnel.train;

import java.util.SplittableRandom;

/**
 * Draws negative videos from the smoothed unigram distribution q(v) ∝ (watches(v) + 1)^0.75, as
 * word2vec does for words: popular videos are sampled more (they are the hard negatives), yet every
 * video keeps a chance. Sampling is with replacement, so the expected count of v among n draws is
 * n·q(v); {@link #logExpectedCount} is the logQ term the loss subtracts.
 */
final class UnigramSampler {
  private final double[] cumulative;
  private final float[] logQ;
  private final SplittableRandom random;

  UnigramSampler(int[] counts, long seed) {
    int n = counts.length;
    cumulative = new double[n];
    logQ = new float[n];
    double total = 0;
    double[] weight = new double[n];
    for (int v = 0; v < n; v++) {
      weight[v] = Math.pow(counts[v] + 1.0, 0.75);
      total += weight[v];
    }
    double running = 0;
    for (int v = 0; v < n; v++) {
      running += weight[v] / total;
      cumulative[v] = running;
      logQ[v] = (float) Math.log(weight[v] / total);
    }
    cumulative[n - 1] = 1.0;
    random = new SplittableRandom(seed);
  }

  /** Fills {@code out} with independent draws. */
  void sample(long[] out) {
    for (int i = 0; i < out.length; i++) {
      out[i] = draw();
    }
  }

  int draw() {
    double x = random.nextDouble();
    int lo = 0, hi = cumulative.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cumulative[mid] < x) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** log(draws · q(v)): the expected number of times v appears among {@code draws} samples. */
  float logExpectedCount(int video, int draws) {
    return logQ[video] + (float) Math.log(draws);
  }
}
