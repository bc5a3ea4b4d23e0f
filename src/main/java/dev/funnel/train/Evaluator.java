package dev.funnel.train;

import dev.funnel.data.Dataset;
import dev.funnel.features.UserProfile;
import dev.funnel.models.ModelBundle;
import dev.funnel.models.RankerModel;
import dev.funnel.models.UserTower;
import dev.funnel.models.VideoCatalog;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Offline metrics of a model version on a dataset, on the test side of the same time split the
 * trainer used (the cutoff recorded in the manifest). It goes through the bundle's serving
 * predictors with profiles built as the feature store would hold them, so it measures what the
 * server will do.
 *
 * <ul>
 *   <li>Candidate model: for each user, the first watch after the cutoff of a video they had not
 *       watched before it; Recall@{10,50,300} and NDCG@10 of that video among all videos scored by
 *       u·w + b, excluding the videos the user watched before the cutoff. The most-popular baseline
 *       (watch counts in the window before the cutoff) is ranked the same way.
 *   <li>Ranker: AUC of exp(logit) on impressions after the cutoff, and the paper's weighted
 *       per-user loss: over pairs of a clicked and an unclicked impression shown to a user on the
 *       same page (same time), the watch time of pairs ranked the wrong way ÷ all pairs' watch
 *       time. The same two figures for the retrieval score alone show what the ranker adds.
 * </ul>
 *
 * Ties count half, so a constant scorer gets AUC 0.5 and loss 0.5.
 */
public final class Evaluator {
  /** Caps keep evaluation a few seconds at RW-1M scale; users are sampled with a fixed stride. */
  static final int MAX_USERS = 10_000;

  static final int MAX_SESSIONS = 20_000;
  private static final int[] RECALL_AT = {10, 50, 300};

  private Evaluator() {}

  public static JsonObject evaluate(Dataset data, ModelBundle bundle) {
    JsonObject manifest = bundle.manifest();
    JsonObject split = manifest.getJsonObject("split", new JsonObject());
    long cutoff =
        split.containsKey("cutoff_ts")
            ? split.getLong("cutoff_ts")
            : ModelTrainer.cutoffTs(data, TrainOptions.defaults().cutoffQuantile());
    int window =
        manifest
            .getJsonObject("training", new JsonObject())
            .getJsonObject("options", new JsonObject())
            .getInteger("popular_window_days", TrainOptions.defaults().popularWindowDays());
    Timeline timeline = new Timeline(data);
    int[] toBundle = mapVideos(data, bundle.catalog());
    JsonObject out = new JsonObject().put("version", bundle.version()).put("cutoff_ts", cutoff);
    candidateMetrics(timeline, bundle, toBundle, cutoff, window, out);
    out.put("ranker", rankerMetrics(timeline, bundle, toBundle, cutoff));
    return out;
  }

  private static int[] mapVideos(Dataset data, VideoCatalog catalog) {
    int[] map = new int[data.videos().size()];
    for (int v = 0; v < map.length; v++) {
      map[v] = catalog.index(data.videos().get(v).id());
    }
    return map;
  }

  private static void candidateMetrics(
      Timeline t, ModelBundle bundle, int[] toBundle, long cutoff, int window, JsonObject out) {
    int videos = bundle.catalog().size();
    int d = bundle.dims();
    float[] w = bundle.videoVectors();
    float[] b = bundle.videoBias();
    int[] popularity = Popularity.counts(t.data(), cutoff, window);
    float[] popScore = new float[videos];
    for (int v = 0; v < toBundle.length; v++) {
      if (toBundle[v] >= 0) {
        popScore[toBundle[v]] = popularity[v];
      }
    }
    Metrics model = new Metrics();
    Metrics popular = new Metrics();
    float[] scores = new float[videos];
    boolean[] excluded = new boolean[videos];
    int stride = Math.max(1, (t.users() + MAX_USERS - 1) / MAX_USERS);
    try (UserTower tower = bundle.newUserTower()) {
      for (int u = 0; u < t.users(); u += stride) {
        int before = t.watchesBefore(u, cutoff);
        Arrays.fill(excluded, false);
        for (int k = 0; k < before; k++) {
          int v = toBundle[t.watchVideo[u][k]];
          if (v >= 0) {
            excluded[v] = true;
          }
        }
        int target = -1;
        for (int k = before; k < t.watchVideo[u].length && target < 0; k++) {
          int v = toBundle[t.watchVideo[u][k]];
          if (v >= 0 && !excluded[v]) {
            target = v;
          }
        }
        if (target < 0) {
          continue;
        }
        UserProfile profile = t.profileAt(u, cutoff);
        float[] uv = tower.userVector(profile, cutoff);
        for (int v = 0; v < videos; v++) {
          float s = b[v];
          int base = v * d;
          for (int j = 0; j < d; j++) {
            s += uv[j] * w[base + j];
          }
          scores[v] = s;
        }
        model.add(rank(scores, excluded, target));
        popular.add(rank(popScore, excluded, target));
      }
    }
    out.put("candidate", model.toJson());
    out.put("popular_baseline", popular.toJson());
  }

  /** Expected 0-based rank of target among the non-excluded videos (ties count half). */
  static double rank(float[] scores, boolean[] excluded, int target) {
    float s = scores[target];
    long above = 0;
    long ties = 0;
    for (int v = 0; v < scores.length; v++) {
      if (v == target || excluded[v]) {
        continue;
      }
      if (scores[v] > s) {
        above++;
      } else if (scores[v] == s) {
        ties++;
      }
    }
    return above + ties / 2.0;
  }

  private static final class Metrics {
    int users;
    final double[] hits = new double[RECALL_AT.length];
    double ndcg;

    void add(double rank) {
      users++;
      for (int i = 0; i < RECALL_AT.length; i++) {
        hits[i] += rank < RECALL_AT[i] ? 1 : 0;
      }
      if (rank < 10) {
        ndcg += 1.0 / (Math.log(rank + 2) / Math.log(2));
      }
    }

    JsonObject toJson() {
      JsonObject j = new JsonObject().put("users", users);
      for (int i = 0; i < RECALL_AT.length; i++) {
        j.put("recall@" + RECALL_AT[i], users == 0 ? 0.0 : round(hits[i] / users));
      }
      return j.put("ndcg@10", users == 0 ? 0.0 : round(ndcg / users));
    }
  }

  private static JsonObject rankerMetrics(
      Timeline t, ModelBundle bundle, int[] toBundle, long cutoff) {
    Dataset.Impressions im = t.data().impressions();
    List<float[]> rows = new ArrayList<>(); // {score, retrieval, clicked, seconds, page}
    int pages = 0;
    int stride = 1;
    int sessionsTotal = 0;
    for (int u = 0; u < t.users(); u++) {
      sessionsTotal += sessionsAfter(t, u, cutoff);
    }
    if (sessionsTotal > MAX_SESSIONS) {
      stride = (sessionsTotal + MAX_SESSIONS - 1) / MAX_SESSIONS;
    }
    float[] w = bundle.videoVectors();
    float[] b = bundle.videoBias();
    int d = bundle.dims();
    int seen = 0;
    try (UserTower tower = bundle.newUserTower();
        RankerModel ranker = bundle.newRanker(64)) {
      for (int u = 0; u < t.users(); u++) {
        int[] list = t.impressions[u];
        int g = 0;
        while (g < list.length) {
          int end = g;
          long ts = im.ts()[list[g]];
          while (end < list.length && im.ts()[list[end]] == ts) {
            end++;
          }
          if (ts >= cutoff && seen++ % stride == 0) {
            int n = 0;
            int[] candidates = new int[end - g];
            int[] source = new int[end - g];
            for (int k = g; k < end; k++) {
              int v = toBundle[im.video()[list[k]]];
              if (v >= 0) {
                source[n] = list[k];
                candidates[n++] = v;
              }
            }
            if (n > 0) {
              UserProfile profile = t.profileAt(u, ts);
              float[] uv = tower.userVector(profile, ts);
              float[] retrieval = new float[n];
              for (int c = 0; c < n; c++) {
                float s = b[candidates[c]];
                for (int j = 0; j < d; j++) {
                  s += uv[j] * w[candidates[c] * d + j];
                }
                retrieval[c] = s;
              }
              float[] seconds = ranker.expectedWatchSeconds(profile, candidates, retrieval, n, ts);
              for (int c = 0; c < n; c++) {
                int i = source[c];
                rows.add(
                    new float[] {
                      seconds[c], retrieval[c], im.clicked()[i] ? 1 : 0, im.watchSeconds()[i], pages
                    });
              }
              pages++;
            }
          }
          g = end;
        }
      }
    }
    JsonObject j = new JsonObject().put("impressions", rows.size()).put("pages", pages);
    if (rows.isEmpty()) {
      return j.put("note", "no impressions after the cutoff: ranker metrics need impressions");
    }
    return j.put("auc", round(PageMetrics.auc(rows, 0)))
        .put("weighted_per_user_loss", round(PageMetrics.weightedPairLoss(rows, 0)))
        .put("retrieval_score_auc", round(PageMetrics.auc(rows, 1)))
        .put(
            "retrieval_score_weighted_per_user_loss", round(PageMetrics.weightedPairLoss(rows, 1)));
  }

  private static int sessionsAfter(Timeline t, int u, long cutoff) {
    Dataset.Impressions im = t.data().impressions();
    int sessions = 0;
    long last = Long.MIN_VALUE;
    for (int i : t.impressions[u]) {
      if (im.ts()[i] >= cutoff && im.ts()[i] != last) {
        sessions++;
        last = im.ts()[i];
      }
    }
    return sessions;
  }

  static double round(double x) {
    return Math.round(x * 10000) / 10000.0;
  }
}
