package dev.funnel.quality;

import dev.funnel.data.Dataset;
import java.util.Arrays;

/**
 * When each video came into existence, so that a replayed request at time t only recommends videos
 * that existed then. A synthetic world knows its upload times; MovieLens does not (the importer's
 * upload time is a release year), so there a film exists from its first rating by anyone.
 */
public final class ItemAvailability {
  private final long[] since;

  private ItemAvailability(long[] since) {
    this.since = since;
  }

  /** Upload time for synthetic data; first watch (rating) in the whole dataset for MovieLens. */
  public static ItemAvailability of(Dataset full) {
    return "movielens".equals(full.meta().source()) ? firstWatched(full) : uploaded(full);
  }

  /** Each video exists from its upload time. */
  public static ItemAvailability uploaded(Dataset data) {
    long[] since = new long[data.videos().size()];
    for (int v = 0; v < since.length; v++) {
      since[v] = data.videos().get(v).uploadTs();
    }
    return new ItemAvailability(since);
  }

  /** Each video exists from its first watch by anyone; a never-watched video never exists. */
  public static ItemAvailability firstWatched(Dataset data) {
    long[] since = new long[data.videos().size()];
    Arrays.fill(since, Long.MAX_VALUE);
    Dataset.Watches w = data.watches();
    for (int i = 0; i < w.size(); i++) {
      since[w.video()[i]] = Math.min(since[w.video()[i]], w.ts()[i]);
    }
    return new ItemAvailability(since);
  }

  /** True when video v existed at time ts (appeared at or before it). */
  public boolean existed(int v, long ts) {
    return since[v] <= ts;
  }

  /** When video v appeared (Long.MAX_VALUE: never). */
  public long since(int v) {
    return since[v];
  }

  public int videos() {
    return since.length;
  }

  /**
   * Marks in {@code excluded} every video that did not exist at {@code ts} and was not excluded
   * already; returns those ids so the caller can unmark them with {@link #unmark}.
   */
  int[] markMissing(long ts, boolean[] excluded) {
    int[] marked = new int[since.length];
    int n = 0;
    for (int v = 0; v < since.length; v++) {
      if (since[v] > ts && !excluded[v]) {
        excluded[v] = true;
        marked[n++] = v;
      }
    }
    return Arrays.copyOf(marked, n);
  }

  static void unmark(int[] marked, boolean[] excluded) {
    for (int v : marked) {
      excluded[v] = false;
    }
  }
}
