package dev.funnel.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * The paper's weighted logistic regression (DJL's losses take no per-example weights): clicked
 * impressions are positives weighted by their watch seconds, unclicked ones negatives of weight 1,
 * so that the learned odds exp(logit) approximate expected watch time.
 *
 * <p>predictions: logits [B]. labels: targets y ∈ {0, 1} [B] and weights [B]. Returns the weighted
 * mean Σ w·ℓ / Σ w of the numerically stable binary cross-entropy ℓ = max(z, 0) − z·y + log(1 +
 * e^−|z|).
 */
public final class WeightedLogisticLoss extends Loss {
  public WeightedLogisticLoss() {
    super("WeightedLogisticLoss");
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    NDArray z = predictions.singletonOrThrow();
    NDArray y = labels.get(0);
    NDArray w = labels.get(1);
    NDArray loss = z.maximum(0f).sub(z.mul(y)).add(z.abs().neg().exp().add(1f).log());
    return loss.mul(w).sum().div(w.sum());
  }
}
