package dev.funnel.quality;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Percentile bootstrap over users: the 95% interval of a mean of per-user values, and of the mean
 * of a paired difference (the same users resampled for both methods, so that the user-to-user
 * spread, which both methods share, cancels).
 */
public final class Bootstrap {
  /** Resamples per interval. */
  static final int RESAMPLES = 2000;

  private Bootstrap() {}

  /** A mean and its 95% interval. */
  public record Interval(double mean, double low, double high) {
    /** True when the whole interval is above zero. */
    public boolean above(double x) {
      return low > x;
    }

    public boolean below(double x) {
      return high < x;
    }
  }

  /** Mean of {@code values} with its percentile-bootstrap 95% interval. */
  public static Interval mean(double[] values, long seed) {
    if (values.length == 0) {
      throw new IllegalArgumentException("no values");
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    int n = values.length;
    double[] means = new double[RESAMPLES];
    for (int b = 0; b < RESAMPLES; b++) {
      double s = 0;
      for (int i = 0; i < n; i++) {
        s += values[rnd.nextInt(n)];
      }
      means[b] = s / n;
    }
    Arrays.sort(means);
    return new Interval(
        average(values), means[(int) (0.025 * RESAMPLES)], means[(int) (0.975 * RESAMPLES) - 1]);
  }

  /** Mean of a − factor·b over the same users, with its paired 95% interval. */
  public static Interval pairedDifference(double[] a, double[] b, double factor, long seed) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(
          "paired values need the same users: " + a.length + " vs " + b.length);
    }
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i] - factor * b[i];
    }
    return mean(d, seed);
  }

  static double average(double[] values) {
    double s = 0;
    for (double v : values) {
      s += v;
    }
    return s / values.length;
  }
}
