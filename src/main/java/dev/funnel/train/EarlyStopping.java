package dev.funnel.train;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The early-stopping rule, apart from any training: after each epoch the caller reports a
 * validation score (higher is better); training stops once {@code patience} epochs in a row have
 * not beaten the best score so far, and the best epoch is the one to keep. A tie is not an
 * improvement, so a flat curve stops too.
 */
final class EarlyStopping {
  private final int patience;
  private final List<Double> curve = new ArrayList<>();
  private int best; // 1-based; 0 before any epoch
  private int sinceBest;

  EarlyStopping(int patience) {
    if (patience < 1) {
      throw new IllegalArgumentException("patience must be at least 1, got " + patience);
    }
    this.patience = patience;
  }

  /**
   * Records the score of the next epoch.
   *
   * @return whether this epoch is the new best (the caller snapshots the model then)
   */
  boolean record(double score) {
    if (Double.isNaN(score)) {
      throw new IllegalArgumentException("validation score is NaN");
    }
    curve.add(score);
    if (best == 0 || score > curve.get(best - 1)) {
      best = curve.size();
      sinceBest = 0;
      return true;
    }
    sinceBest++;
    return false;
  }

  /** Whether training should stop now: {@code patience} epochs without a new best. */
  boolean shouldStop() {
    return sinceBest >= patience;
  }

  /** The 1-based epoch with the best score (0 before any epoch). */
  int bestEpoch() {
    return best;
  }

  int epochs() {
    return curve.size();
  }

  double bestScore() {
    return best == 0 ? Double.NaN : curve.get(best - 1);
  }

  /** {"patience", "best_epoch", "epochs_run", "curve": [...]} for model.json. */
  JsonObject toJson() {
    JsonArray values = new JsonArray();
    for (double v : curve) {
      values.add(CandidateTrainer.round(v));
    }
    return new JsonObject()
        .put("patience", patience)
        .put("best_epoch", best)
        .put("epochs_run", curve.size())
        .put("curve", values);
  }
}
