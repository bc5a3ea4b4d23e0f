package dev.funnel.train;

import dev.funnel.models.ServingOrder;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Chooses the home feed's {@link ServingOrder} at train time from what {@link OrderReplay} measured
 * on users no published or evaluated ranker fitted on (the ranker window's calibration hold-out):
 * each request one of their clicked impressions or, without an impression log, one of their
 * watches; per user the mean over their requests, then averaged over users.
 *
 * <p>The rule: serve retrieval's order when it has the higher mean on both HitRate@{@value
 * OrderReplay#AT} (what issue 10 measures) and the share of the requests' watch seconds in the top
 * {@value OrderReplay#AT} (what the ranker is trained for); otherwise keep the ranker. The better
 * mean is the best guess whatever the noise (a near tie costs little either way, and waiting for
 * "beyond noise" would keep a ranker that loses on every measure whenever the validation users are
 * few); requiring both keeps a ranker that buys watch time at the price of a few hits. The
 * intervals are recorded beside the choice so a reader sees how close it was.
 */
final class OrderChoice {

  /**
   * Fewer validation users than this: retrieval's order only when it wins beyond noise (both 95%
   * intervals of the difference below 0). Small datasets get few: MovieLens's last fifth of ratings
   * holds out 27–28 users, on whom the ranker's order lost by 0.07–0.16 HitRate@50 every time.
   */
  static final int MIN_USERS = 30;

  /** Fewer than this: no choice at all, the ranker stays (a bootstrap of so few says nothing). */
  static final int MIN_USERS_BEYOND_NOISE = 10;

  static final int RESAMPLES = 2_000;

  /** The order to record and the figures behind it ({@code training.order_choice}). */
  record Decision(ServingOrder order, JsonObject json) {}

  private OrderChoice() {}

  /**
   * Applies the rule to measured hits ({@code hits} null: nothing could be measured).
   *
   * @param forced {@link TrainOptions.Order#AUTO} to choose; otherwise the order to record
   * @param why a short note when {@code hits} is null
   */
  static Decision decide(OrderReplay.Hits hits, TrainOptions.Order forced, long seed, String why) {
    JsonObject json =
        new JsonObject()
            .put(
                "rule",
                "retrieval's order when its mean is higher on both HitRate@"
                    + OrderReplay.AT
                    + " and the watch-seconds share of the top "
                    + OrderReplay.AT
                    + " (with fewer than "
                    + MIN_USERS
                    + " validation users: when both 95% intervals of the difference lie below 0);"
                    + " else the ranker");
    ServingOrder chosen = ServingOrder.RANKER;
    String reason;
    if (hits == null || hits.users() < MIN_USERS_BEYOND_NOISE) {
      reason =
          hits == null
              ? why
              : "too few validation users (" + hits.users() + " < " + MIN_USERS_BEYOND_NOISE + ")";
      if (hits != null) {
        json.put("validation", figures(hits, seed));
      }
    } else {
      boolean few = hits.users() < MIN_USERS;
      JsonObject v = figures(hits, seed);
      json.put("validation", v);
      boolean hitsLost = lost(v, few);
      JsonObject share = v.getJsonObject("watch_seconds_share");
      boolean secondsLost = share == null || lost(share, few);
      chosen = hitsLost && secondsLost ? ServingOrder.RETRIEVAL : ServingOrder.RANKER;
      if (few) {
        reason =
            chosen == ServingOrder.RETRIEVAL
                ? "few validation users ("
                    + hits.users()
                    + " < "
                    + MIN_USERS
                    + "), but the ranker's order is lower on both beyond noise"
                : "too few validation users ("
                    + hits.users()
                    + " < "
                    + MIN_USERS
                    + ") to act on a difference within noise";
      } else {
        reason =
            chosen == ServingOrder.RETRIEVAL
                ? "retrieval's order has the higher HitRate@"
                    + OrderReplay.AT
                    + " and watch-seconds share"
                : hitsLost
                    ? "the ranker has the higher watch-seconds share"
                    : "the ranker's HitRate@" + OrderReplay.AT + " is not lower";
      }
    }
    if (forced != TrainOptions.Order.AUTO) {
      ServingOrder f = ServingOrder.parse(forced.label());
      json.put("validation_would_choose", chosen.label());
      chosen = f;
      reason = "forced by --order " + forced.label();
    }
    return new Decision(chosen, json.put("order", chosen.label()).put("reason", reason));
  }

  /** Whether the ranker's order lost: by the mean, or (few users) with the whole interval. */
  private static boolean lost(JsonObject figures, boolean beyondNoise) {
    JsonObject d = figures.getJsonObject("ranker_minus_retrieval");
    return beyondNoise ? d.getDouble("high") < 0 : d.getDouble("mean") < 0;
  }

  /**
   * Means and 95% percentile-bootstrap intervals over users of HitRate@{@value OrderReplay#AT}
   * (what the rule reads) and, when measured, of the share of the requests' watch seconds that the
   * top {@value #AT} holds (what the ranker is trained for): each order and the paired difference.
   */
  static JsonObject figures(OrderReplay.Hits h, long seed) {
    int n = h.users();
    double[] retrieval = new double[n];
    double[] ranker = new double[n];
    int requests = 0;
    for (int u = 0; u < n; u++) {
      retrieval[u] = (double) h.retrieval()[u] / h.requests()[u];
      ranker[u] = (double) h.ranker()[u] / h.requests()[u];
      requests += h.requests()[u];
    }
    JsonObject out =
        new JsonObject()
            .put("users", n)
            .put("requests", requests)
            .put("at", OrderReplay.AT)
            .put("candidates", OrderReplay.CANDIDATES)
            .mergeIn(paired(retrieval, ranker, seed));
    if (h.seconds() != null) {
      double[] a = new double[n];
      double[] k = new double[n];
      for (int u = 0; u < n; u++) {
        double total = h.seconds()[u];
        a[u] = total > 0 ? h.retrievalSeconds()[u] / total : retrieval[u];
        k[u] = total > 0 ? h.rankerSeconds()[u] / total : ranker[u];
      }
      out.put("watch_seconds_share", paired(a, k, seed + 1));
    }
    return out;
  }

  /** {"retrieval", "ranker", "ranker_minus_retrieval"}: means over users with their intervals. */
  private static JsonObject paired(double[] retrieval, double[] ranker, long seed) {
    int n = retrieval.length;
    double[][] means = new double[3][RESAMPLES];
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int b = 0; b < RESAMPLES; b++) {
      double a = 0;
      double k = 0;
      for (int i = 0; i < n; i++) {
        int u = rnd.nextInt(n);
        a += retrieval[u];
        k += ranker[u];
      }
      means[0][b] = a / n;
      means[1][b] = k / n;
      means[2][b] = (k - a) / n;
    }
    double a = Arrays.stream(retrieval).average().orElse(0);
    double k = Arrays.stream(ranker).average().orElse(0);
    return new JsonObject()
        .put("retrieval", interval(a, means[0]))
        .put("ranker", interval(k, means[1]))
        .put("ranker_minus_retrieval", interval(k - a, means[2]));
  }

  /** "0.512 [0.480, 0.544]". */
  static String describe(JsonObject interval) {
    return String.format(
        java.util.Locale.ROOT,
        "%.3f [%.3f, %.3f]",
        interval.getDouble("mean"),
        interval.getDouble("low"),
        interval.getDouble("high"));
  }

  private static JsonObject interval(double mean, double[] resampled) {
    double[] s = resampled.clone();
    Arrays.sort(s);
    return new JsonObject()
        .put("mean", round(mean))
        .put("low", round(s[(int) Math.floor(0.025 * (s.length - 1))]))
        .put("high", round(s[(int) Math.ceil(0.975 * (s.length - 1))]));
  }

  private static double round(double x) {
    return Math.round(x * 10_000.0) / 10_000.0;
  }
}
