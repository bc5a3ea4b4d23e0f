package dev.funnel.models;

import dev.funnel.features.UserProfile;

/**
 * The ranking model for one worker thread: one batched forward over the candidates. Not thread-safe
 * (it owns per-call native buffers and arrays); get one per worker from {@link
 * ModelBundle#newRanker()}.
 */
public interface RankerModel extends AutoCloseable {

  /**
   * Expected watch seconds for the first {@code count} candidates: the weighted-LR logit through
   * the version's calibration, capped at each video's duration.
   *
   * @param candidates dense video ids
   * @param retrievalScores the index score of each candidate, same order
   * @param nowTs the serving clock, epoch seconds
   * @return one score per candidate, in candidate order
   */
  float[] expectedWatchSeconds(
      ResolvedUser user, int[] candidates, float[] retrievalScores, int count, long nowTs);

  /** As the {@link ResolvedUser} variant, for a profile (offline tools). */
  float[] expectedWatchSeconds(
      UserProfile profile, int[] candidates, float[] retrievalScores, int count, long nowTs);

  @Override
  void close();

  /** Both implementations' argument check: {@code count} within both arrays. */
  static void checkCount(int[] candidates, float[] retrievalScores, int count) {
    if (count < 0 || count > candidates.length || count > retrievalScores.length) {
      throw new IllegalArgumentException(
          "count "
              + count
              + " exceeds the candidates ("
              + candidates.length
              + ") or scores ("
              + retrievalScores.length
              + ")");
    }
  }
}
