package dev.funnel.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Both custom losses against values worked out by hand. */
class LossesTest {
  NDManager m;

  @BeforeEach
  void open() {
    m = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    m.close();
  }

  private static double softplus(double z) {
    return Math.log(1 + Math.exp(z));
  }

  @Test
  void weightedLogistic_weightsClickedByWatchTime() {
    // logits 0 and 2; first clicked with 30 s, second unclicked (weight 1).
    // ℓ(0, y=1) = log 2; ℓ(2, y=0) = softplus(2). Weighted mean = (30·log 2 + softplus 2) / 31.
    NDArray z = m.create(new float[] {0f, 2f});
    NDArray y = m.create(new float[] {1f, 0f});
    NDArray w = m.create(new float[] {30f, 1f});
    float loss = new WeightedLogisticLoss().evaluate(new NDList(y, w), new NDList(z)).getFloat();
    assertEquals((30 * Math.log(2) + softplus(2)) / 31, loss, 1e-5);
  }

  @Test
  void weightedLogistic_stableForLargeLogits() {
    NDArray z = m.create(new float[] {80f, -80f});
    NDArray y = m.create(new float[] {0f, 1f});
    NDArray w = m.create(new float[] {1f, 1f});
    float loss = new WeightedLogisticLoss().evaluate(new NDList(y, w), new NDList(z)).getFloat();
    assertEquals(80, loss, 1e-3); // both wrong by a margin of 80: ℓ ≈ 80 each, no overflow
  }

  @Test
  void sampledSoftmax_subtractsLogExpectedCounts() {
    // One row: positive logit 1 with log-count 0.5; negatives logits 2 and 0 with log-counts
    // 1 and -1. Corrected: pos 0.5, negs 1 and 1. Loss = -log(e^0.5 / (e^0.5 + 2e^1)).
    NDArray pos = m.create(new float[] {1f});
    NDArray neg = m.create(new float[] {2f, 0f}, new Shape(1, 2));
    NDArray posLogQ = m.create(new float[] {0.5f});
    NDArray negLogQ = m.create(new float[] {1f, -1f});
    NDArray hits = m.zeros(new Shape(1, 2));
    float loss =
        new SampledSoftmaxLoss()
            .evaluate(new NDList(posLogQ, negLogQ, hits), new NDList(pos, neg))
            .getFloat();
    double expected = -Math.log(Math.exp(0.5) / (Math.exp(0.5) + 2 * Math.exp(1)));
    assertEquals(expected, loss, 1e-5);
  }

  @Test
  void sampledSoftmax_ignoresAccidentalHitsAndAveragesRows() {
    // Row 0: positive id 7, negatives {7, 3}: the 7 among the negatives is the positive itself
    // and must not count, so row 0 competes with id 3 only. Row 1: positive 3, negatives {7, 3}
    // hits id 3. No logQ. Logits: row 0 pos 1, negs (5, 0) → -log(e/(e+1));
    // row 1 pos 0, negs (2, 9) → -log(1/(1+e^2)).
    NDArray posIds = m.create(new long[] {7, 3});
    NDArray negIds = m.create(new long[] {7, 3});
    NDArray hits = SampledSoftmaxLoss.accidentalHits(posIds, negIds);
    assertArrayEquals(new float[] {1, 0, 0, 1}, hits.toFloatArray());
    NDArray pos = m.create(new float[] {1f, 0f});
    NDArray neg = m.create(new float[] {5f, 0f, 2f, 9f}, new Shape(2, 2));
    NDArray zeros2 = m.zeros(new Shape(2));
    float loss =
        new SampledSoftmaxLoss()
            .evaluate(new NDList(zeros2, zeros2, hits), new NDList(pos, neg))
            .getFloat();
    double row0 = -Math.log(Math.E / (Math.E + 1));
    double row1 = -Math.log(1 / (1 + Math.exp(2)));
    assertEquals((row0 + row1) / 2, loss, 1e-5);
  }

  @Test
  void auc_andWeightedPairLoss_onHandMadePages() {
    // {score, retrieval, clicked, seconds, page}
    List<float[]> rows =
        List.of(
            new float[] {0.9f, 0f, 1, 100, 0},
            new float[] {0.5f, 0f, 0, 0, 0},
            new float[] {0.7f, 0f, 0, 0, 0},
            new float[] {0.1f, 0f, 1, 10, 1},
            new float[] {0.6f, 0f, 0, 0, 1});
    // Positives 0.9 and 0.1, negatives 0.5, 0.7, 0.6: 0.9 beats 3, 0.1 beats 0 → AUC 3/6.
    assertEquals(0.5, PageMetrics.auc(rows, 0), 1e-9);
    // Page 0: 100 s × 2 pairs, both right. Page 1: 10 s × 1 pair, wrong. → 10 / 210.
    assertEquals(10.0 / 210, PageMetrics.weightedPairLoss(rows, 0), 1e-9);
    // Retrieval column all ties: everything counts half.
    assertEquals(0.5, PageMetrics.auc(rows, 1), 1e-9);
    assertEquals(0.5, PageMetrics.weightedPairLoss(rows, 1), 1e-9);
  }
}
