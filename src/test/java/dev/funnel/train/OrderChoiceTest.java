package dev.funnel.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.models.ServingOrder;
import io.vertx.core.json.JsonObject;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The serving-order rule on synthetic per-user hits whose true rates are known. */
class OrderChoiceTest {
  private static final long SEED = 7L;

  /**
   * Users with {@code requests} requests each, hits drawn at the two rates; each request is worth
   * 10 s, or {@code rankerLong} s when the ranker shows it (the ranker finds the long watches).
   */
  private static OrderReplay.Hits hits(
      int users, int requests, double retrieval, double ranker, double rankerLong) {
    SplittableRandom rnd = new SplittableRandom(11);
    int[] n = new int[users];
    int[] a = new int[users];
    int[] k = new int[users];
    double[] seconds = new double[users];
    double[] as = new double[users];
    double[] ks = new double[users];
    for (int u = 0; u < users; u++) {
      n[u] = requests;
      for (int r = 0; r < requests; r++) {
        boolean ra = rnd.nextDouble() < retrieval;
        boolean rk = rnd.nextDouble() < ranker;
        double s = rk ? rankerLong : 10;
        a[u] += ra ? 1 : 0;
        k[u] += rk ? 1 : 0;
        seconds[u] += s;
        as[u] += ra ? s : 0;
        ks[u] += rk ? s : 0;
      }
    }
    return new OrderReplay.Hits(n, a, k, seconds, as, ks);
  }

  private static OrderReplay.Hits hits(int users, int requests, double retrieval, double ranker) {
    return hits(users, requests, retrieval, ranker, 10);
  }

  @Test
  void decide_rankerWorseOnBoth_servesRetrieval() {
    OrderChoice.Decision d =
        OrderChoice.decide(hits(300, 10, 0.55, 0.45), TrainOptions.Order.AUTO, SEED, null);
    assertEquals(ServingOrder.RETRIEVAL, d.order());
    JsonObject v = d.json().getJsonObject("validation");
    assertTrue(v.getJsonObject("ranker_minus_retrieval").getDouble("high") < 0, v.encode());
    assertTrue(
        v.getJsonObject("watch_seconds_share")
                .getJsonObject("ranker_minus_retrieval")
                .getDouble("mean")
            < 0,
        v.encode());
    assertEquals("retrieval", d.json().getString("order"));
  }

  @Test
  void decide_rankerBetter_keepsRanker() {
    OrderChoice.Decision d =
        OrderChoice.decide(hits(300, 10, 0.45, 0.55), TrainOptions.Order.AUTO, SEED, null);
    assertEquals(ServingOrder.RANKER, d.order());
    JsonObject v = d.json().getJsonObject("validation");
    assertTrue(
        v.getJsonObject("ranker").getDouble("mean")
            > v.getJsonObject("retrieval").getDouble("mean"),
        v.encode());
  }

  @Test
  void decide_rankerFewerHitsButMoreWatchTime_keepsRanker() {
    // The ranker shows fewer of the watched videos, but the ones it shows are watched 20× longer.
    OrderChoice.Decision d =
        OrderChoice.decide(hits(300, 10, 0.55, 0.45, 200), TrainOptions.Order.AUTO, SEED, null);
    assertEquals(ServingOrder.RANKER, d.order());
    assertTrue(d.json().getString("reason").contains("watch-seconds"), d.json().encode());
  }

  @Test
  void decide_slightlyWorseWithinNoise_followsTheMeanAndRecordsTheInterval() {
    // 40 users, one request each: the gap is inside the interval, and the mean still decides.
    OrderChoice.Decision d =
        OrderChoice.decide(hits(40, 1, 0.50, 0.45), TrainOptions.Order.AUTO, SEED, null);
    JsonObject v = d.json().getJsonObject("validation");
    JsonObject diff = v.getJsonObject("ranker_minus_retrieval");
    assertTrue(diff.getDouble("low") < 0 && diff.getDouble("high") > 0, diff.encode());
    boolean lower =
        diff.getDouble("mean") < 0
            && v.getJsonObject("watch_seconds_share")
                    .getJsonObject("ranker_minus_retrieval")
                    .getDouble("mean")
                < 0;
    assertEquals(lower ? ServingOrder.RETRIEVAL : ServingOrder.RANKER, d.order());
  }

  @Test
  void decide_tooFewUsers_keepsRankerAndSaysWhy() {
    OrderChoice.Decision d =
        OrderChoice.decide(
            hits(OrderChoice.MIN_USERS_BEYOND_NOISE - 1, 20, 0.9, 0.1),
            TrainOptions.Order.AUTO,
            SEED,
            null);
    assertEquals(ServingOrder.RANKER, d.order());
    assertTrue(d.json().getString("reason").contains("too few"), d.json().encode());
  }

  @Test
  void decide_fewUsersAndALossBeyondNoise_servesRetrieval() {
    OrderChoice.Decision d =
        OrderChoice.decide(
            hits(OrderChoice.MIN_USERS - 3, 20, 0.6, 0.3), TrainOptions.Order.AUTO, SEED, null);
    assertEquals(ServingOrder.RETRIEVAL, d.order(), d.json().encode());
    JsonObject diff = d.json().getJsonObject("validation").getJsonObject("ranker_minus_retrieval");
    assertTrue(diff.getDouble("high") < 0, diff.encode());
    assertTrue(d.json().getString("reason").contains("beyond noise"), d.json().encode());
  }

  @Test
  void decide_fewUsersAndALossWithinNoise_keepsRanker() {
    // The ranker's mean is lower on both, which would serve retrieval with 30+ users.
    OrderChoice.Decision d =
        OrderChoice.decide(
            hits(OrderChoice.MIN_USERS - 3, 3, 0.50, 0.45), TrainOptions.Order.AUTO, SEED, null);
    JsonObject diff = d.json().getJsonObject("validation").getJsonObject("ranker_minus_retrieval");
    assertTrue(diff.getDouble("mean") < 0 && diff.getDouble("high") >= 0, diff.encode());
    assertEquals(ServingOrder.RANKER, d.order(), d.json().encode());
    assertTrue(d.json().getString("reason").contains("within noise"), d.json().encode());
  }

  @Test
  void decide_nothingMeasured_keepsRankerWithTheGivenReason() {
    OrderChoice.Decision d = OrderChoice.decide(null, TrainOptions.Order.AUTO, SEED, "no window");
    assertEquals(ServingOrder.RANKER, d.order());
    assertEquals("no window", d.json().getString("reason"));
    assertNull(d.json().getJsonObject("validation"));
  }

  @Test
  void decide_forced_overridesAndRecordsWhatValidationWouldChoose() {
    OrderChoice.Decision d =
        OrderChoice.decide(hits(300, 10, 0.55, 0.45), TrainOptions.Order.RANKER, SEED, null);
    assertEquals(ServingOrder.RANKER, d.order());
    assertEquals("retrieval", d.json().getString("validation_would_choose"));
    assertTrue(d.json().getString("reason").contains("--order ranker"));
  }

  @Test
  void figures_watchSecondsShare_weighsHitsByTheirSeconds() {
    // One user: two requests, 10 s and 90 s; retrieval shows the short one, the ranker the long.
    OrderReplay.Hits h =
        new OrderReplay.Hits(
            new int[] {2},
            new int[] {1},
            new int[] {1},
            new double[] {100},
            new double[] {10},
            new double[] {90});
    JsonObject v = OrderChoice.figures(h, SEED);
    assertEquals(0.5, v.getJsonObject("retrieval").getDouble("mean"), 1e-9);
    assertEquals(0.5, v.getJsonObject("ranker").getDouble("mean"), 1e-9);
    JsonObject share = v.getJsonObject("watch_seconds_share");
    assertEquals(0.1, share.getJsonObject("retrieval").getDouble("mean"), 1e-9);
    assertEquals(0.9, share.getJsonObject("ranker").getDouble("mean"), 1e-9);
  }

  @Test
  void figures_intervalsContainTheirMeans() {
    JsonObject v = OrderChoice.figures(hits(100, 5, 0.3, 0.6), SEED);
    assertEquals(100, v.getInteger("users"));
    assertEquals(500, v.getInteger("requests"));
    for (String k : new String[] {"retrieval", "ranker", "ranker_minus_retrieval"}) {
      JsonObject i = v.getJsonObject(k);
      assertTrue(
          i.getDouble("low") <= i.getDouble("mean") && i.getDouble("mean") <= i.getDouble("high"),
          k + " " + i.encode());
    }
  }
}
