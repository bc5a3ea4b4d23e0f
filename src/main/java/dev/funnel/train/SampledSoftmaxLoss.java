package dev.funnel.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.loss.Loss;

/**
 * Sampled softmax with logQ correction (DJL has none). Each row's positive competes with S
 * negatives shared by the batch. Because negatives are drawn from a proposal Q rather than
 * uniformly, every logit — the positive's too — has log(expected count under Q) subtracted, which
 * makes the sampled loss an unbiased stand-in for the full softmax over all videos. Negatives that
 * happen to be the row's positive ("accidental hits") are pushed to -∞ so they are not counted as
 * both.
 *
 * <p>predictions: positive logits [B], negative logits [B, S]. labels: log expected count of each
 * positive [B], of each negative [S], and the accidental-hit mask [B, S] (1 = hit). Returns the
 * mean cross-entropy of the positive over the B rows.
 */
public final class SampledSoftmaxLoss extends Loss {
  private static final float MASKED = 1e9f;

  public SampledSoftmaxLoss() {
    super("SampledSoftmaxLoss");
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    NDArray positive = predictions.get(0).sub(labels.get(0)).expandDims(1); // [B, 1]
    NDArray negative =
        predictions
            .get(1)
            .sub(labels.get(1).expandDims(0))
            .sub(labels.get(2).toType(DataType.FLOAT32, false).mul(MASKED)); // [B, S]
    NDArray logits = positive.concat(negative, 1);
    return logits.logSoftmax(1).get(":, 0").neg().mean();
  }

  /** The accidental-hit mask: 1 where negative j is row i's positive. */
  public static NDArray accidentalHits(NDArray positiveIds, NDArray negativeIds) {
    return positiveIds.expandDims(1).eq(negativeIds.expandDims(0)).toType(DataType.FLOAT32, false);
  }
}
