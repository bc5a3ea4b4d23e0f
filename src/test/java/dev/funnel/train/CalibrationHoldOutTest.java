package dev.funnel.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The users held out of the served ranker's fit to calibrate it. */
class CalibrationHoldOutTest {
  /** 4,000 users with 1 to 60 examples each (skewed, like page views), every 5th a click. */
  private static int[][] examples(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int users = 4_000;
    int[] per = new int[users];
    int n = 0;
    for (int u = 0; u < users; u++) {
      per[u] = 1 + (int) Math.min(59, -12 * Math.log(1 - rnd.nextDouble()));
      n += per[u];
    }
    int[] user = new int[n];
    int k = 0;
    for (int u = 0; u < users; u++) {
      for (int j = 0; j < per[u]; j++) {
        user[k++] = u;
      }
    }
    return new int[][] {user, per};
  }

  private static float[] labels(int n) {
    float[] label = new float[n];
    for (int i = 0; i < n; i += 5) {
      label[i] = 1f;
    }
    return label;
  }

  @Test
  void heldOutUsers_skewedActivity_shareOfUsersAndOfExamplesAsAsked() {
    int[][] data = examples(3);
    int[] user = data[0];
    int[] per = data[1];
    boolean[] held = RankerTrainer.heldOutUsers(user, labels(user.length), 0.25, 48);
    assertNotNull(held);
    Map<Integer, Boolean> byUser = new HashMap<>();
    int heldExamples = 0;
    for (int e = 0; e < user.length; e++) {
      Boolean before = byUser.put(user[e], held[e]);
      assertTrue(before == null || before == held[e], "user " + user[e] + " split across sides");
      heldExamples += held[e] ? 1 : 0;
    }
    long heldUsers = byUser.values().stream().filter(h -> h).count();
    assertEquals(0.25, heldUsers / (double) per.length, 0.005, "users held out");
    // Stratified by activity: the examples' share matches too, and the heaviest users as well.
    assertEquals(0.25, heldExamples / (double) user.length, 0.01, "examples held out");
    int heavy = 0;
    int heavyHeld = 0;
    for (int u = 0; u < per.length; u++) {
      if (per[u] >= 30) {
        heavy++;
        heavyHeld += byUser.get(u) ? 1 : 0;
      }
    }
    assertTrue(heavy > 100, "heavy users " + heavy);
    assertEquals(0.25, heavyHeld / (double) heavy, 0.05, "heavy users held out");
  }

  @Test
  void heldOutUsers_otherSeed_otherUsers() {
    int[] user = examples(3)[0];
    float[] label = labels(user.length);
    boolean[] a = RankerTrainer.heldOutUsers(user, label, 0.25, 48);
    boolean[] b = RankerTrainer.heldOutUsers(user, label, 0.25, 49);
    boolean[] again = RankerTrainer.heldOutUsers(user, label, 0.25, 48);
    int differ = 0;
    for (int e = 0; e < user.length; e++) {
      differ += a[e] != b[e] ? 1 : 0;
      assertEquals(a[e], again[e], "same seed, same split");
    }
    assertTrue(differ > user.length / 5, "another seed moves users: " + differ);
  }

  @Test
  void heldOutUsers_tooFewOrNoClick_null() {
    int[] few = new int[300];
    for (int i = 0; i < few.length; i++) {
      few[i] = i;
    }
    assertNull(RankerTrainer.heldOutUsers(few, labels(few.length), 0.25, 48), "75 held out");
    int[] user = examples(3)[0];
    assertNull(RankerTrainer.heldOutUsers(user, new float[user.length], 0.25, 48), "no click");
    int[] one = new int[5_000];
    assertNull(
        RankerTrainer.heldOutUsers(one, labels(one.length), 0.25, 48),
        "one user: nothing would be left to fit on, or nothing held out");
  }
}
