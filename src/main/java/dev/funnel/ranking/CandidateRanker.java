package dev.funnel.ranking;

import dev.funnel.models.ResolvedUser;
import dev.funnel.retrieval.Candidates;

/**
 * Scores retrieved candidates with the ranking stage (one batched call) and keeps the best N by
 * expected watch time. Runs on an inference worker: the {@link Ranker} belongs to the calling
 * thread for the duration of the call.
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
      int[] fallback) {
    if (candidates.size() == 0) {
      return TopN.select(new int[0], new float[0], 0, excluded, n, fallback);
    }
    float[] scores = ranker.score(user, candidates, nowTs);
    return TopN.select(candidates.ids(), scores, candidates.size(), excluded, n, fallback);
  }
}
