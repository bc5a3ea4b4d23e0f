package dev.funnel.ranking;

import dev.funnel.models.RankerModel;
import dev.funnel.models.ResolvedUser;
import dev.funnel.retrieval.Candidates;

/**
 * The ranking stage as served: the ranking model's DJL predictor of one worker, one batched forward
 * over the candidates. Belongs to one worker thread.
 */
public record ModelRanker(RankerModel model) implements Ranker, AutoCloseable {
  @Override
  public float[] score(ResolvedUser user, Candidates candidates, long nowTs) {
    return model.expectedWatchSeconds(
        user, candidates.ids(), candidates.scores(), candidates.size(), nowTs);
  }

  @Override
  public void close() {
    model.close();
  }
}
