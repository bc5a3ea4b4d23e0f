package dev.funnel.ranking;

import dev.funnel.models.ResolvedUser;
import dev.funnel.retrieval.Candidates;

/**
 * The ranking stage for one inference worker: scores retrieved candidates in one batched call. Not
 * thread-safe (the model behind it owns a predictor): one per worker thread, borrowed for one
 * request at a time.
 */
public interface Ranker {

  /**
   * Expected watch seconds of each candidate.
   *
   * @param nowTs the serving clock, epoch seconds
   * @return {@code candidates.size()} scores, in candidate order
   */
  float[] score(ResolvedUser user, Candidates candidates, long nowTs);
}
