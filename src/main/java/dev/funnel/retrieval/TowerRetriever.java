package dev.funnel.retrieval;

import dev.funnel.models.ResolvedUser;
import dev.funnel.models.UserTower;
import java.util.function.IntPredicate;

/**
 * The retrieval stage as served: the candidate model's user tower (a DJL predictor of one worker)
 * and the index all workers share. Belongs to one worker thread.
 */
public record TowerRetriever(UserTower tower, VectorIndex index)
    implements CandidateRetriever, AutoCloseable {
  @Override
  public float[] userVector(ResolvedUser user, long nowTs) {
    return tower.userVector(user, nowTs);
  }

  @Override
  public float[] userVector(ResolvedUser user, long nowTs, float exampleAgeSeconds) {
    return tower.userVector(user, nowTs, exampleAgeSeconds);
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
