package dev.funnel.quality;

/** Baseline: the videos with the most training watches, the same list for everyone. */
public final class MostPopular implements Recommender {
  private final float[] counts;

  public MostPopular(int[][] trainItems, int videos) {
    counts = new float[videos];
    for (int[] items : trainItems) {
      for (int v : items) {
        counts[v]++;
      }
    }
  }

  @Override
  public String name() {
    return "most-popular";
  }

  @Override
  public int[] recommend(int user, int k, boolean[] excluded) {
    return Recommender.topK(counts, excluded, k);
  }
}
