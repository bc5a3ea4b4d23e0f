package dev.funnel.train;

import dev.funnel.data.Dataset;
import java.util.ArrayList;
import java.util.List;

/**
 * Most-watched videos in a window before a time: the serving fallback ({@code popular.txt}, as of
 * the end of the data) and the evaluation baseline (as of the train/test cutoff) are the same
 * computation at two clocks.
 */
final class Popularity {
  static final int KEEP = 1000;
  private static final long DAY = 86_400L;

  private Popularity() {}

  /**
   * Watch counts per video over [asOf − windowDays, asOf); when the window holds fewer than 100
   * distinct videos (sparse data such as MovieLens), over everything before asOf instead.
   */
  static int[] counts(Dataset data, long asOf, int windowDays) {
    int[] counts = count(data, asOf - windowDays * DAY, asOf);
    int distinct = 0;
    for (int c : counts) {
      distinct += c > 0 ? 1 : 0;
    }
    return distinct >= Math.min(100, data.videos().size())
        ? counts
        : count(data, Long.MIN_VALUE, asOf);
  }

  private static int[] count(Dataset data, long from, long to) {
    int[] counts = new int[data.videos().size()];
    Dataset.Watches w = data.watches();
    for (int i = 0; i < w.size(); i++) {
      if (w.ts()[i] >= from && w.ts()[i] < to) {
        counts[w.video()[i]]++;
      }
    }
    return counts;
  }

  /** Dense ids with a count > 0, most watched first (ties by id), at most {@link #KEEP}. */
  static int[] ranking(int[] counts) {
    List<Integer> ids = new ArrayList<>();
    for (int v = 0; v < counts.length; v++) {
      if (counts[v] > 0) {
        ids.add(v);
      }
    }
    ids.sort((a, b) -> counts[a] != counts[b] ? Integer.compare(counts[b], counts[a]) : a - b);
    return ids.stream().limit(KEEP).mapToInt(Integer::intValue).toArray();
  }
}
