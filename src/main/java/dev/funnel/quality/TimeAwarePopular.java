package dev.funnel.quality;

import dev.funnel.data.Dataset;
import dev.funnel.models.SortedArrays;

/**
 * Baseline: the videos watched most in the window before each user's request time, [t − window, t),
 * counting only training watches. Ties (and an empty window) are broken by the watches before t of
 * all time, so the list is always full. Unlike {@link MostPopular}, it never counts a watch that
 * happened after the request.
 */
public final class TimeAwarePopular implements Recommender {
  /** No window: every watch before the request counts. */
  public static final long ALL_TIME = Long.MAX_VALUE;

  private final int[] video;
  private final long[] ts;
  private final long[] requestTs;
  private final long windowSeconds;
  private final int videos;

  /**
   * @param train training watches, time-ordered
   * @param requestTs per user, the request time
   * @param windowSeconds how far back a watch counts ({@link #ALL_TIME}: no limit)
   */
  public TimeAwarePopular(Dataset.Watches train, long[] requestTs, long windowSeconds, int videos) {
    if (windowSeconds <= 0) {
      throw new IllegalArgumentException("window must be positive, got " + windowSeconds);
    }
    this.video = train.video();
    this.ts = train.ts();
    this.requestTs = requestTs;
    this.windowSeconds = windowSeconds;
    this.videos = videos;
    for (int i = 1; i < ts.length; i++) {
      if (ts[i] < ts[i - 1]) {
        throw new IllegalArgumentException("watches must be time-ordered");
      }
    }
  }

  public long windowSeconds() {
    return windowSeconds;
  }

  @Override
  public String name() {
    return "time-popular";
  }

  @Override
  public int[] recommend(int user, int k, boolean[] excluded) {
    return Recommender.topK(scores(requestTs[user]), excluded, k);
  }

  /** Window count plus a tie-break below 1 from the all-time count before t. */
  float[] scores(long t) {
    int end = SortedArrays.firstAtOrAfter(ts, t);
    long from = windowSeconds == ALL_TIME ? Long.MIN_VALUE : t - windowSeconds;
    int start = SortedArrays.firstAtOrAfter(ts, from);
    float[] window = new float[videos];
    float[] before = new float[videos];
    for (int i = 0; i < end; i++) {
      before[video[i]]++;
      if (i >= start) {
        window[video[i]]++;
      }
    }
    float scale = 1f / (end + 1);
    for (int v = 0; v < videos; v++) {
      window[v] += before[v] * scale;
    }
    return window;
  }
}
