package dev.funnel.models;

import dev.funnel.features.UserProfile;

/**
 * The ranking model for one worker thread: one batched forward over the candidates. Not thread-safe
 * (it owns a DJL Predictor); get one per worker from {@link ModelBundle#newRanker()}.
 */
public interface RankerModel extends AutoCloseable {

  /**
   * Expected watch seconds (exp of the weighted-LR logit) for the first {@code count} candidates.
   *
   * @param candidates dense video ids
   * @param retrievalScores the index score of each candidate, same order
   * @param nowTs the serving clock, epoch seconds
   * @return one score per candidate, in candidate order
   */
  float[] expectedWatchSeconds(
      UserProfile profile, int[] candidates, float[] retrievalScores, int count, long nowTs);

  @Override
  void close();
}
