package dev.funnel.train;

import java.util.Arrays;
import java.util.List;

/**
 * Ranking metrics over rows {score columns…, clicked (col 2), watch seconds (col 3), page (col 4)},
 * used by the trainer's evaluator and the quality report alike: Mann–Whitney AUC and the paper's
 * weighted per-user loss (watch time of mis-ordered same-page clicked/unclicked pairs ÷ all pairs'
 * watch time). Ties count half.
 */
public final class PageMetrics {
  private PageMetrics() {}

  /** Mann–Whitney AUC of column {@code col} against the clicked column, ties counted half. */
  public static double auc(List<float[]> rows, int col) {
    float[][] sorted = rows.toArray(new float[0][]);
    Arrays.sort(sorted, (x, y) -> Float.compare(x[col], y[col]));
    double rankSum = 0;
    long positives = 0;
    int i = 0;
    while (i < sorted.length) {
      int j = i;
      while (j < sorted.length && sorted[j][col] == sorted[i][col]) {
        j++;
      }
      double midRank = (i + 1 + j) / 2.0;
      for (int k = i; k < j; k++) {
        if (sorted[k][2] > 0) {
          rankSum += midRank;
          positives++;
        }
      }
      i = j;
    }
    long negatives = sorted.length - positives;
    if (positives == 0 || negatives == 0) {
      return 0.5;
    }
    return (rankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
  }

  /**
   * Σ over same-page (clicked, unclicked) pairs of the clicked watch time where the unclicked one
   * scored higher (half on ties), ÷ Σ of the clicked watch time over all such pairs.
   */
  public static double weightedPairLoss(List<float[]> rows, int col) {
    double wrong = 0;
    double total = 0;
    int start = 0;
    while (start < rows.size()) {
      int end = start;
      float page = rows.get(start)[4];
      while (end < rows.size() && rows.get(end)[4] == page) {
        end++;
      }
      for (int p = start; p < end; p++) {
        float[] pos = rows.get(p);
        if (pos[2] == 0) {
          continue;
        }
        for (int q = start; q < end; q++) {
          float[] neg = rows.get(q);
          if (neg[2] != 0) {
            continue;
          }
          total += pos[3];
          if (neg[col] > pos[col]) {
            wrong += pos[3];
          } else if (neg[col] == pos[col]) {
            wrong += pos[3] / 2.0;
          }
        }
      }
      start = end;
    }
    return total == 0 ? 0.0 : wrong / total;
  }
}
