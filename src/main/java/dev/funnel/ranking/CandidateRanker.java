package dev.funnel.ranking;

import dev.funnel.models.ResolvedUser;
import dev.funnel.models.ServingOrder;
import dev.funnel.retrieval.Candidates;

/**
 * Scores retrieved candidates with the ranking stage (one batched call) and keeps the best N in the
 * version's {@link ServingOrder}: by expected watch time, or in retrieval's order with each video
 * still carrying the ranker's seconds. Runs on an inference worker: the {@link Ranker} belongs to
 * the calling thread for the duration of the call.
 */
public final class CandidateRanker {
  private CandidateRanker() {}

  public static ScoredVideos rank(
      Ranker ranker,
      ResolvedUser user,
      Candidates candidates,
      long nowTs,
      ExclusionSet excluded,
      int n,
      int[] fallback,
      ServingOrder order) {
    if (candidates.size() == 0) {
      return TopN.select(new int[0], new float[0], 0, excluded, n, fallback);
    }
    float[] scores = ranker.score(user, candidates, nowTs);
    float[] orderBy = order == ServingOrder.RETRIEVAL ? candidates.scores() : scores;
    return TopN.select(candidates.ids(), orderBy, scores, candidates.size(), excluded, n, fallback);
  }
}
