package dev.funnel.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.models.WatchTimeCalibration;
import io.vertx.core.json.JsonObject;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CalibratorTest {
  private static float[] floats(JsonObject table, String key) {
    var a = table.getJsonArray(key);
    float[] out = new float[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.getFloat(i);
    }
    return out;
  }

  @Test
  void fit_violatorsPooled_knotsAtBlockMeans() {
    // One bin per example: 0, then 10 and 5 violate the order and pool to 7.5, then 20.
    WatchTimeCalibration c =
        Calibrator.fit(new float[] {3, 1, 2, 4}, new float[] {5, 0, 10, 20}, 4);
    JsonObject t = c.toJson();
    assertArrayEquals(new float[] {1f, 2.5f, 4f}, floats(t, "logit"));
    assertArrayEquals(new float[] {Calibrator.MIN_SECONDS, 7.5f, 20f}, floats(t, "seconds"));
    assertEquals(7.5f + 0.5f * (20f - 7.5f) / 1.5f, c.seconds(3f), 1e-5f);
  }

  @Test
  void fit_knownExpectedWatchTime_recovered() {
    // Logit z: click with p(z) = sigmoid(z − 1), a click watches Exp(mean 100 + 50 z) seconds.
    // The expected watch time p(z)·(100 + 50 z) is what the table must recover.
    SplittableRandom rnd = new SplittableRandom(17);
    int n = 400_000;
    float[] logits = new float[n];
    float[] seconds = new float[n];
    for (int i = 0; i < n; i++) {
      float z = (float) (rnd.nextDouble() * 4 - 2);
      logits[i] = z;
      double p = 1 / (1 + Math.exp(-(z - 1)));
      if (rnd.nextDouble() < p) {
        seconds[i] = (float) (-(100 + 50 * z) * Math.log(1 - rnd.nextDouble()));
      }
    }
    WatchTimeCalibration c = Calibrator.fit(logits, seconds, 50);
    for (float z = -1.5f; z <= 1.5f; z += 0.25f) {
      double truth = (100 + 50 * z) / (1 + Math.exp(-(z - 1)));
      // 5%, and a quarter second where the expectation itself is a couple of seconds.
      assertEquals(truth, c.seconds(z), 0.05 * truth + 0.25, "z = " + z);
    }
    for (float z = -3f; z < 3f; z += 0.01f) {
      assertTrue(c.seconds(z + 0.01f) > c.seconds(z), "strictly increasing at " + z);
    }
  }

  @Test
  void fit_equalLogits_oneKnot() {
    WatchTimeCalibration c =
        Calibrator.fit(new float[] {0.5f, 0.5f, 0.5f, 0.5f}, new float[] {0, 4, 0, 8}, 3);
    assertArrayEquals(new float[] {0.5f}, floats(c.toJson(), "logit"));
    assertEquals(3f, c.seconds(0.5f), 1e-6f);
  }

  @Test
  void fit_withCaps_cappedMeanOfEachBlockIsItsWatchTime() {
    // One block (constant watch time 60 s), half its videos 30 s long: serving caps those at 30,
    // so the knot must be 90 for the capped mean (30 + 90) / 2 to be 60.
    int n = 1000;
    float[] logits = new float[n];
    float[] seconds = new float[n];
    float[] caps = new float[n];
    for (int i = 0; i < n; i++) {
      logits[i] = 1f;
      seconds[i] = 60f;
      caps[i] = i % 2 == 0 ? 30f : 1000f;
    }
    WatchTimeCalibration capped = Calibrator.fit(logits, seconds, caps, 10);
    assertEquals(90f, capped.seconds(1f), 0.05f);
    assertEquals(60f, Calibrator.fit(logits, seconds, 10).seconds(1f), 1e-4f);
  }

  @Test
  void fit_lowestBlock_servedNearItsMeanNotFarBelow() {
    // The lowest block spans logits −10..0 with a mean watch time of 2 s: without a knot at its
    // lowest logit, exponential extrapolation below the block's mean logit (−5) served ~0 there.
    int n = 2000;
    float[] logits = new float[n];
    float[] seconds = new float[n];
    for (int i = 0; i < n; i++) {
      logits[i] = -10f + 10f * i / n;
      seconds[i] = 2f;
    }
    WatchTimeCalibration c = Calibrator.fit(logits, seconds, 1);
    double mean = 0;
    for (float l : logits) {
      mean += c.seconds(l) / n;
    }
    assertEquals(2.0, mean, 0.1, "the block's served mean (above its mean logit it may rise 10%)");
    assertTrue(c.seconds(-10.5f) < c.seconds(-10f), "still strictly increasing below it");
  }

  /** Bernoulli(p(z)) clicks watching Exp(100 + 50 z) s: watch seconds with CV ≈ 3, as RW-small. */
  private static float[][] heavyTailed(int n, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[][] out = new float[2][n];
    for (int i = 0; i < n; i++) {
      float z = (float) (rnd.nextGaussian() * 1.2);
      out[0][i] = z;
      double p = 1 / (1 + Math.exp(-(z - 1.5)));
      if (rnd.nextDouble() < p) {
        out[1][i] = (float) (-(100 + 30 * Math.max(-3, z)) * Math.log(1 - rnd.nextDouble()));
      }
    }
    return out;
  }

  @Test
  void fit_rankerBinsOnAHeldOutSliceSize_freshDrawDecilesWithinTarget() {
    // 23,000 examples, about what the held-out users give on RW-small; checked on 200,000 more.
    float[][] fit = heavyTailed(23_000, 5);
    WatchTimeCalibration c = Calibrator.fit(fit[0], fit[1], RankerTrainer.CALIBRATION_BINS);
    float[][] check = heavyTailed(200_000, 6);
    java.util.List<float[]> rows = new java.util.ArrayList<>();
    for (int i = 0; i < check[0].length; i++) {
      rows.add(new float[] {c.seconds(check[0][i]), 0, check[1][i] > 0 ? 1 : 0, check[1][i]});
    }
    var deciles = Evaluator.reliability(rows, 0);
    for (int b = 0; b < deciles.size(); b++) {
      double ratio = deciles.getJsonObject(b).getDouble("ratio");
      assertTrue(ratio >= 0.8 && ratio <= 1.25, "decile " + (b + 1) + ": " + deciles.encode());
    }
  }
}
