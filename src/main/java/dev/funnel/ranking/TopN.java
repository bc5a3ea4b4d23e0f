package dev.funnel.ranking;

import java.util.Arrays;

/**
 * The last step of the funnel: order candidates by the ranker's score, drop excluded ids and
 * duplicates, keep N, then top up from a fallback list (popular videos) when too few are left.
 * Stateless and thread-safe.
 */
public final class TopN {
  private TopN() {}

  /**
   * @param ids candidate dense ids, {@code count} used
   * @param scores ranker score of each candidate (expected watch seconds), same order
   * @param excluded ids that must not be returned
   * @param n how many to keep
   * @param fallback ids to append (score 0, or the lowest ranked score if negative) when fewer than
   *     n survive, in their order
   */
  public static ScoredVideos select(
      int[] ids, float[] scores, int count, ExclusionSet excluded, int n, int[] fallback) {
    Integer[] order = new Integer[count];
    for (int i = 0; i < count; i++) {
      order[i] = i;
    }
    // Descending score; ties keep the retrieval order (stable sort), so results are deterministic.
    Arrays.sort(order, (a, b) -> Float.compare(scores[b], scores[a]));
    int[] outIds = new int[n];
    float[] outScores = new float[n];
    int size = 0;
    java.util.HashSet<Integer> seen = new java.util.HashSet<>(2 * n);
    for (int i = 0; i < count && size < n; i++) {
      int id = ids[order[i]];
      float s = scores[order[i]];
      if (excluded.contains(id) || Float.isNaN(s) || !seen.add(id)) {
        continue;
      }
      outIds[size] = id;
      outScores[size++] = s;
    }
    // The fallback goes last, scored no higher than anything ranked: scores stay non-increasing.
    float fallbackScore = size > 0 ? Math.min(0f, outScores[size - 1]) : 0f;
    for (int i = 0; fallback != null && i < fallback.length && size < n; i++) {
      int id = fallback[i];
      if (excluded.contains(id) || !seen.add(id)) {
        continue;
      }
      outIds[size] = id;
      outScores[size++] = fallbackScore;
    }
    return new ScoredVideos(Arrays.copyOf(outIds, size), Arrays.copyOf(outScores, size));
  }
}
