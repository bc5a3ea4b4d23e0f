package dev.funnel.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The stopping rule on made-up validation curves, apart from any training. */
class EarlyStoppingTest {
  /** Feeds a curve until the rule says stop; returns the rule. */
  private static EarlyStopping run(int patience, double... curve) {
    EarlyStopping rule = new EarlyStopping(patience);
    for (double v : curve) {
      rule.record(v);
      if (rule.shouldStop()) {
        break;
      }
    }
    return rule;
  }

  @Test
  void record_dropAfterPeak_patienceOne_stopsAtTheDropAndKeepsThePeak() {
    EarlyStopping rule = run(1, 0.10, 0.20, 0.25, 0.24, 0.30);
    assertEquals(4, rule.epochs(), "stops at the first epoch that does not improve");
    assertEquals(3, rule.bestEpoch());
    assertEquals(0.25, rule.bestScore());
  }

  @Test
  void record_risingCurve_neverStops_bestIsTheLast() {
    EarlyStopping rule = run(1, 0.1, 0.2, 0.3, 0.4);
    assertFalse(rule.shouldStop());
    assertEquals(4, rule.epochs());
    assertEquals(4, rule.bestEpoch());
  }

  @Test
  void record_tie_isNotAnImprovement() {
    EarlyStopping rule = new EarlyStopping(1);
    assertTrue(rule.record(0.2));
    assertFalse(rule.record(0.2));
    assertTrue(rule.shouldStop());
    assertEquals(1, rule.bestEpoch());
  }

  @Test
  void record_patienceTwo_survivesOneDip() {
    EarlyStopping rule = run(2, 0.10, 0.09, 0.20, 0.19, 0.18, 0.5);
    assertEquals(5, rule.epochs(), "two epochs without a new best after epoch 3");
    assertEquals(3, rule.bestEpoch());
    assertEquals(0.20, rule.bestScore());
  }

  @Test
  void toJson_recordsTheCurveAndTheBestEpoch() {
    var json = run(1, 0.1, 0.3, 0.2).toJson();
    assertEquals(2, json.getInteger("best_epoch"));
    assertEquals(3, json.getInteger("epochs_run"));
    assertEquals(3, json.getJsonArray("curve").size());
    assertEquals(0.3, json.getJsonArray("curve").getDouble(1));
  }

  @Test
  void record_nanOrBadPatience_isRejected() {
    assertThrows(IllegalArgumentException.class, () -> new EarlyStopping(1).record(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> new EarlyStopping(0));
  }
}
