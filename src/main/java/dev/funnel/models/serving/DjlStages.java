package dev.funnel.models.serving;

import dev.funnel.models.RankerModel;
import dev.funnel.models.ResolvedUser;
import dev.funnel.models.UserTower;
import dev.funnel.ranking.Ranker;
import dev.funnel.retrieval.CandidateRetriever;
import dev.funnel.retrieval.Candidates;
import dev.funnel.retrieval.VectorIndex;
import java.util.function.IntPredicate;

/**
 * The funnel's stage interfaces backed by a model bundle's DJL predictors. Adapters only: the
 * models stay where the trainer needs them ({@code models}), the interfaces where the funnel reads
 * them ({@code retrieval}, {@code ranking}). Each instance belongs to one worker thread.
 */
final class DjlStages {
  private DjlStages() {}

  /** The user tower of one worker, and the index all workers share. */
  record Retriever(UserTower tower, VectorIndex index)
      implements CandidateRetriever, AutoCloseable {
    @Override
    public float[] userVector(ResolvedUser user, long nowTs) {
      return tower.userVector(user, nowTs);
    }

    @Override
    public Candidates search(float[] u, int k, IntPredicate excluded) {
      return index.search(u, k, excluded);
    }

    /** Closes the tower; the index belongs to the serving model. */
    @Override
    public void close() {
      tower.close();
    }
  }

  /** The ranker of one worker. */
  record Scorer(RankerModel model) implements Ranker, AutoCloseable {
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
}
