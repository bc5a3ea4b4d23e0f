package dev.funnel.quality;

import java.util.Arrays;
import java.util.List;

/**
 * Ranking metrics over rows {score columns…, clicked (col 2), watch seconds (col 3), page (col 4)},
 * the same definitions as the trainer's evaluator: Mann–Whitney AUC and the paper's weighted
 * per-user loss (watch time of mis-ordered same-page clicked/unclicked pairs ÷ all pairs' watch
 * time). Ties count half.
 */
final class PageMetrics {
  private PageMetrics() {}

  static double auc(List<float[]> rows, int col) {
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

  static double weightedPairLoss(List<float[]> rows, int col) {
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
