package dev.funnel.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BootstrapTest {

  private static double[] coinFlips(int n, double p, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = rnd.nextDouble() < p ? 1 : 0;
    }
    return x;
  }

  @Test
  void mean_constantValues_intervalIsThePoint() {
    Bootstrap.Interval i = Bootstrap.mean(new double[] {0.25, 0.25, 0.25, 0.25}, 1);
    assertEquals(0.25, i.mean(), 1e-12);
    assertEquals(0.25, i.low(), 1e-12);
    assertEquals(0.25, i.high(), 1e-12);
  }

  @Test
  void mean_hitRates_intervalMatchesTheNormalApproximation() {
    double[] x = coinFlips(2000, 0.3, 5);
    Bootstrap.Interval i = Bootstrap.mean(x, 1);
    double se = Math.sqrt(i.mean() * (1 - i.mean()) / x.length);
    assertTrue(i.low() < i.mean() && i.mean() < i.high(), i.toString());
    assertEquals(2 * 1.96 * se, i.high() - i.low(), 0.25 * 2 * 1.96 * se, i.toString());
  }

  @Test
  void mean_moreUsers_narrowerInterval() {
    Bootstrap.Interval few = Bootstrap.mean(coinFlips(100, 0.3, 5), 1);
    Bootstrap.Interval many = Bootstrap.mean(coinFlips(10_000, 0.3, 5), 1);
    assertTrue(many.high() - many.low() < (few.high() - few.low()) / 5, few + " vs " + many);
  }

  @Test
  void pairedDifference_sharedUserSpread_cancels() {
    // Users differ a lot; method a is b plus a small, consistent gain for one user in ten.
    double[] b = coinFlips(600, 0.4, 9);
    double[] a = b.clone();
    for (int u = 0; u < a.length; u += 10) {
      a[u] = 1;
    }
    Bootstrap.Interval ia = Bootstrap.mean(a, 1);
    Bootstrap.Interval ib = Bootstrap.mean(b, 2);
    assertTrue(ia.low() < ib.high(), "the unpaired intervals overlap: " + ia + " " + ib);
    Bootstrap.Interval d = Bootstrap.pairedDifference(a, b, 1, 3);
    assertTrue(d.above(0), "the paired difference is above 0: " + d);
  }

  @Test
  void pairedDifference_factor_scalesTheSecondMethod() {
    double[] a = coinFlips(500, 0.5, 1);
    double[] b = coinFlips(500, 0.3, 2);
    Bootstrap.Interval d = Bootstrap.pairedDifference(a, b, 2, 3);
    assertEquals(Bootstrap.average(a) - 2 * Bootstrap.average(b), d.mean(), 1e-12);
  }

  @Test
  void pairedDifference_noDifference_intervalContainsZero() {
    double[] a = coinFlips(500, 0.5, 1);
    Bootstrap.Interval d = Bootstrap.pairedDifference(a, a.clone(), 1, 3);
    assertFalse(d.above(0) || d.below(0), d.toString());
  }

  @Test
  void pairedDifference_differentUsers_rejected() {
    assertThrows(
        IllegalArgumentException.class,
        () -> Bootstrap.pairedDifference(new double[3], new double[4], 1, 1));
  }
}
