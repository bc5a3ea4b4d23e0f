package dev.funnel.ranking;

import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * Dense video ids a request must not get back: the watched history, the request's {@code exclude}
 * list, the playing video of a watch-next request. A sorted array, because the set is small (tens
 * to hundreds of ids) and is probed only for would-be top-K members. Immutable and thread-safe.
 */
public final class ExclusionSet implements IntPredicate {
  public static final ExclusionSet NONE = new ExclusionSet(new int[0]);

  private final int[] sorted;

  private ExclusionSet(int[] sorted) {
    this.sorted = sorted;
  }

  /** The set of the given ids; negative ids (unknown videos) are dropped. */
  public static ExclusionSet of(int[] ids, int count) {
    int[] copy = Arrays.copyOf(ids, count);
    Arrays.sort(copy);
    int n = 0;
    for (int i = 0; i < copy.length; i++) {
      if (copy[i] >= 0 && (n == 0 || copy[n - 1] != copy[i])) {
        copy[n++] = copy[i];
      }
    }
    return new ExclusionSet(Arrays.copyOf(copy, n));
  }

  public boolean contains(int id) {
    return Arrays.binarySearch(sorted, id) >= 0;
  }

  @Override
  public boolean test(int id) {
    return contains(id);
  }

  public int size() {
    return sorted.length;
  }
}
