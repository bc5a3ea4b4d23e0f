package dev.funnel.ranking;

import java.util.Arrays;

/**
 * The last step of the funnel: order candidates by the ranker's score, keep N, then top up from a
 * fallback list (popular videos) when too few are left. The candidates come from the index, which
 * has already skipped the excluded ids ({@link dev.funnel.retrieval.CandidateRetriever#search}), so
 * only the fallback is checked against them. Stateless and thread-safe.
 */
public final class TopN {
  private TopN() {}

  /**
   * @param ids candidate dense ids, {@code count} used, none of them excluded
   * @param scores ranker score of each candidate (expected watch seconds), same order; NaN scores
   *     are dropped
   * @param excluded ids that the fallback must not add
   * @param n how many to keep
   * @param fallback ids to append (score 0, or the lowest ranked score if negative) when fewer than
   *     n survive, in their order
   */
  public static ScoredVideos select(
      int[] ids, float[] scores, int count, ExclusionSet excluded, int n, int[] fallback) {
    return select(ids, scores, scores, count, excluded, n, fallback);
  }

  /**
   * As {@link #select(int[], float[], int, ExclusionSet, int, int[])}, ordered by {@code orderBy}
   * while each kept video carries its {@code scores} entry: the retrieval order with the ranker's
   * seconds as scores (then not necessarily non-increasing). A NaN in either drops the candidate.
   */
  public static ScoredVideos select(
      int[] ids,
      float[] orderBy,
      float[] scores,
      int count,
      ExclusionSet excluded,
      int n,
      int[] fallback) {
    // One primitive sort of (descending key, candidate position) keys: ties keep the retrieval
    // order, so results are deterministic, and nothing is boxed.
    long[] keys = new long[count];
    int m = 0;
    for (int i = 0; i < count; i++) {
      float s = orderBy[i];
      if (!Float.isNaN(s) && !Float.isNaN(scores[i])) {
        keys[m++] = ((long) ~sortable(s) << 32) | i;
      }
    }
    Arrays.sort(keys, 0, m);
    int[] outIds = new int[n];
    float[] outScores = new float[n];
    int size = 0;
    for (int k = 0; k < m && size < n; k++) {
      int i = (int) keys[k];
      int id = ids[i];
      if (!contains(outIds, size, id)) {
        outIds[size] = id;
        outScores[size++] = scores[i];
      }
    }
    // The fallback goes last, scored no higher than anything kept.
    float fallbackScore = 0f;
    for (int i = 0; i < size; i++) {
      fallbackScore = Math.min(fallbackScore, outScores[i]);
    }
    for (int i = 0; fallback != null && i < fallback.length && size < n; i++) {
      int id = fallback[i];
      if (excluded.contains(id) || contains(outIds, size, id)) {
        continue;
      }
      outIds[size] = id;
      outScores[size++] = fallbackScore;
    }
    return new ScoredVideos(Arrays.copyOf(outIds, size), Arrays.copyOf(outScores, size));
  }

  /** The float's bits as an int with the same order (-0 before +0). */
  private static int sortable(float s) {
    int b = Float.floatToRawIntBits(s);
    return b ^ ((b >> 31) & 0x7fffffff);
  }

  // n is the page size (tens): a scan beats a hash set.
  private static boolean contains(int[] ids, int size, int id) {
    for (int i = 0; i < size; i++) {
      if (ids[i] == id) {
        return true;
      }
    }
    return false;
  }
}
