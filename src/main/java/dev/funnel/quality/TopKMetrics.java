package dev.funnel.quality;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Accumulates top-K list metrics over users, against each user's set of held-out videos.
 *
 * <ul>
 *   <li>HitRate@K: share of users with at least one held-out video in their top K.
 *   <li>Recall@K: held-out videos found in the top K ÷ held-out videos, averaged over users.
 *   <li>NDCG@10: binary relevance, DCG = Σ 1/log2(rank+2) over hits in the top 10, divided by the
 *       ideal DCG of min(|held out|, 10) hits at the top; averaged over users.
 *   <li>Coverage@K: distinct videos in anyone's top K ÷ catalogue size.
 * </ul>
 *
 * Not thread-safe.
 */
public final class TopKMetrics {
  public static final int[] KS = {10, 50};
  private static final int NDCG_AT = 10;

  private final int catalogue;
  private final BitSet[] shown = new BitSet[KS.length];
  private final double[] hits = new double[KS.length];
  private final double[] recall = new double[KS.length];
  private double ndcg;
  private int users;

  /** Per user, in the order added: hit@K and recall@K for each K, then NDCG@10. */
  private final List<double[]> perUser = new ArrayList<>();

  /** Names of the per-user columns, in {@link #perUser()} order. */
  public static final String[] PER_USER = {
    "hit_rate@10", "recall@10", "hit_rate@50", "recall@50", "ndcg@10"
  };

  public TopKMetrics(int catalogue) {
    this.catalogue = catalogue;
    for (int i = 0; i < KS.length; i++) {
      shown[i] = new BitSet(catalogue);
    }
  }

  /**
   * @param ranked the user's list, best first (at least max(KS) long when the catalogue allows)
   * @param relevant the user's held-out videos (distinct, non-empty)
   */
  public void add(int[] ranked, int[] relevant) {
    if (relevant.length == 0) {
      throw new IllegalArgumentException("a user without held-out videos cannot be scored");
    }
    users++;
    double[] row = new double[PER_USER.length];
    for (int i = 0; i < KS.length; i++) {
      int k = Math.min(KS[i], ranked.length);
      int found = 0;
      for (int r = 0; r < k; r++) {
        shown[i].set(ranked[r]);
        if (contains(relevant, ranked[r])) {
          found++;
        }
      }
      hits[i] += found > 0 ? 1 : 0;
      recall[i] += found / (double) relevant.length;
      row[2 * i] = found > 0 ? 1 : 0;
      row[2 * i + 1] = found / (double) relevant.length;
    }
    double dcg = 0;
    for (int r = 0; r < Math.min(NDCG_AT, ranked.length); r++) {
      if (contains(relevant, ranked[r])) {
        dcg += 1 / log2(r + 2);
      }
    }
    double ideal = 0;
    for (int r = 0; r < Math.min(NDCG_AT, relevant.length); r++) {
      ideal += 1 / log2(r + 2);
    }
    ndcg += dcg / ideal;
    row[PER_USER.length - 1] = dcg / ideal;
    perUser.add(row);
  }

  /**
   * Per-user values by column name ({@link #PER_USER}), users in the order they were added: what
   * the bootstrap intervals resample.
   */
  public JsonObject perUser() {
    JsonObject j = new JsonObject();
    for (int c = 0; c < PER_USER.length; c++) {
      JsonArray column = new JsonArray();
      for (double[] row : perUser) {
        column.add(round(row[c]));
      }
      j.put(PER_USER[c], column);
    }
    return j;
  }

  private static boolean contains(int[] a, int x) {
    for (int v : a) {
      if (v == x) {
        return true;
      }
    }
    return false;
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  public int users() {
    return users;
  }

  public double hitRate(int kIndex) {
    return users == 0 ? 0 : hits[kIndex] / users;
  }

  public double recall(int kIndex) {
    return users == 0 ? 0 : recall[kIndex] / users;
  }

  public double ndcg10() {
    return users == 0 ? 0 : ndcg / users;
  }

  public double coverage(int kIndex) {
    return catalogue == 0 ? 0 : shown[kIndex].cardinality() / (double) catalogue;
  }

  public JsonObject toJson() {
    JsonObject j = new JsonObject().put("users", users);
    for (int i = 0; i < KS.length; i++) {
      j.put("hit_rate@" + KS[i], round(hitRate(i)));
      j.put("recall@" + KS[i], round(recall(i)));
    }
    j.put("ndcg@10", round(ndcg10()));
    for (int i = 0; i < KS.length; i++) {
      j.put("coverage@" + KS[i], round(coverage(i)));
    }
    return j;
  }

  static double round(double x) {
    return Math.round(x * 10000) / 10000.0;
  }
}
