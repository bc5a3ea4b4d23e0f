package dev.funnel.ranking;

/**
 * A final list: dense video ids and their scores (expected watch seconds), best first, no
 * duplicates.
 */
public record ScoredVideos(int[] ids, float[] scores) {
  public int size() {
    return ids.length;
  }
}
