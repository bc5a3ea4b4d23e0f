package dev.funnel.pipeline;

import java.util.List;

/**
 * Why one request got its answer ({@code ?explain=true}): what was known about the user, each stage
 * of the funnel with its time and how many videos went in and came out, and for each returned video
 * where retrieval put it, what the ranker made of it and the ranker features it saw.
 *
 * <p>Bounded: only returned videos are described, at most {@link #MAX_ITEMS} of them.
 *
 * @param path {@code ranked} (the full funnel), {@code unranked} (retrieval order: the deadline
 *     passed before the ranker) or {@code popular} (no model ran)
 * @param order what the returned list is ordered by: {@code ranker} (expected watch seconds),
 *     {@code retrieval} (u·w_v + b_v: the version's recorded serving order, or the deadline cut the
 *     ranker), {@code related} (watch-next's blend of the ranker and the similarity to the playing
 *     video) or {@code popular}
 * @param reason why the path is not {@code ranked}, or null
 * @param profileFound whether the feature store had a profile for the user
 * @param history watched videos the models saw (stored plus given, at most 50)
 * @param searchTokens search tokens the user tower saw
 * @param excluded distinct known videos that may not be returned (watched, excluded, playing)
 * @param stages in funnel order: features, queue, tower, index, rank
 * @param totalMs the whole request, milliseconds (stages plus the glue between them)
 * @param items the returned videos, best first, at most {@link #MAX_ITEMS}
 * @param itemsOmitted returned videos beyond {@link #MAX_ITEMS}, not described
 * @param featureNames the names of {@link Item#raw()} and {@link Item#cdf()}, in order
 */
public record Explanation(
    String path,
    String order,
    String reason,
    boolean profileFound,
    int history,
    int searchTokens,
    int excluded,
    List<Stage> stages,
    double totalMs,
    List<Item> items,
    int itemsOmitted,
    List<String> featureNames) {

  /** Returned videos described per explanation; more would only make the answer heavy. */
  public static final int MAX_ITEMS = 50;

  /**
   * One stage of the funnel.
   *
   * @param ms wall time in milliseconds (0 when it did not run)
   * @param in videos that entered the stage, or -1 when the stage does not handle videos
   * @param out videos that left it, or -1
   * @param ran false when the stage was skipped (deadline, failure)
   */
  public record Stage(String name, double ms, int in, int out, boolean ran) {}

  /**
   * One returned video.
   *
   * @param retrievalRank 1-based position among the retrieved candidates; 0 when the video did not
   *     come from retrieval (popular videos topping up the list)
   * @param retrievalScore u·w_v + b_v from the index; NaN when not retrieved
   * @param rankerScore the ranker's expected watch seconds; NaN when the ranker did not score it
   * @param raw the raw ranker features (see {@link Explanation#featureNames()}); null when the
   *     video was not retrieved
   * @param cdf the same features after the CDF normalisation (what the model's x is); null likewise
   */
  public record Item(
      String video,
      String title,
      String topic,
      String language,
      float score,
      int retrievalRank,
      float retrievalScore,
      float rankerScore,
      float[] raw,
      float[] cdf) {}

  /** A recommendation together with its explanation. */
  public record Explained(Recommendation recommendation, Explanation explanation) {}
}
