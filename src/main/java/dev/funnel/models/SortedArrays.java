package dev.funnel.models;

/** Lower bounds in ascending arrays, for the trainer, the evaluators and the score quantiles. */
public final class SortedArrays {
  private SortedArrays() {}

  /** The first index whose value is ≥ {@code x} ({@code sorted.length} when none is). */
  public static int firstAtOrAfter(long[] sorted, long x) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] < x) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** As {@link #firstAtOrAfter(long[], long)} for floats. */
  public static int firstAtOrAfter(float[] sorted, float x) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] < x) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
