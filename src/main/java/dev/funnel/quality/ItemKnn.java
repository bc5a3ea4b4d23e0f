package dev.funnel.quality;

import java.util.Arrays;

/**
 * Baseline: item-to-item co-occurrence (ItemKNN). Two videos are similar when the same users
 * watched both: cosine similarity of their binary user vectors, shrunk towards 0 for pairs with
 * little support, co(i, j) / (√(n_i · n_j) + shrinkage), keeping each video's {@code neighbours}
 * most similar videos. A user's score for v is the sum of v's similarity to the videos in their
 * training history.
 */
public final class ItemKnn implements Recommender {
  private final int[][] trainItems;
  private final int[][] neighbour;
  private final float[][] similarity;
  private final int videos;

  public ItemKnn(int[][] trainItems, int videos, int neighbours) {
    this(trainItems, videos, neighbours, 0f);
  }

  public ItemKnn(int[][] trainItems, int videos, int neighbours, float shrinkage) {
    if (neighbours < 1 || shrinkage < 0) {
      throw new IllegalArgumentException("neighbours must be positive and shrinkage >= 0");
    }
    this.trainItems = trainItems;
    this.videos = videos;
    int[][] distinct = new int[trainItems.length][];
    int[] degree = new int[videos];
    for (int u = 0; u < trainItems.length; u++) {
      distinct[u] = Arrays.stream(trainItems[u]).distinct().toArray();
      for (int v : distinct[u]) {
        degree[v]++;
      }
    }
    int[][] usersOf = new int[videos][];
    for (int v = 0; v < videos; v++) {
      usersOf[v] = new int[degree[v]];
    }
    int[] fill = new int[videos];
    for (int u = 0; u < distinct.length; u++) {
      for (int v : distinct[u]) {
        usersOf[v][fill[v]++] = u;
      }
    }
    neighbour = new int[videos][];
    similarity = new float[videos][];
    float[] co = new float[videos];
    int[] touched = new int[videos];
    for (int i = 0; i < videos; i++) {
      int n = 0;
      for (int u : usersOf[i]) {
        for (int j : distinct[u]) {
          if (j != i) {
            if (co[j] == 0) {
              touched[n++] = j;
            }
            co[j]++;
          }
        }
      }
      float[] sim = new float[videos];
      for (int t = 0; t < n; t++) {
        int j = touched[t];
        sim[j] = (float) (co[j] / (Math.sqrt((double) degree[i] * degree[j]) + shrinkage));
      }
      int[] top = n == 0 ? new int[0] : Recommender.topK(sim, null, Math.min(neighbours, n));
      neighbour[i] = top;
      similarity[i] = new float[top.length];
      for (int t = 0; t < top.length; t++) {
        similarity[i][t] = sim[top[t]];
      }
      for (int t = 0; t < n; t++) {
        co[touched[t]] = 0;
      }
    }
  }

  @Override
  public String name() {
    return "itemknn";
  }

  @Override
  public int[] recommend(int user, int k, boolean[] excluded) {
    float[] scores = new float[videos];
    for (int h : trainItems[user]) {
      int[] nb = neighbour[h];
      float[] s = similarity[h];
      for (int t = 0; t < nb.length; t++) {
        scores[nb[t]] += s[t];
      }
    }
    return Recommender.topK(scores, excluded, k);
  }
}
