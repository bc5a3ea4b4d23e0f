package dev.funnel.train;

import dev.funnel.data.Dataset;
import dev.funnel.features.UserProfile;
import dev.funnel.models.ModelBundle;
import dev.funnel.models.RankerModel;
import dev.funnel.models.SortedArrays;
import dev.funnel.models.UserTower;
import dev.funnel.models.VideoCatalog;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
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
 *       (watch counts in the window before the cutoff) is ranked the same way. The same figures for
 *       the users whose target was uploaded in the {@value #FRESH_DAYS} days before the cutoff show
 *       how the model does on fresh videos. The scan is batched ({@link ExactTopK}).
 *   <li>Ranker: AUC of its score (expected watch seconds) on impressions after the cutoff, a
 *       reliability table (per decile of the score, mean predicted vs mean actual watch seconds),
 *       and the paper's weighted per-user loss: over pairs of a clicked and an unclicked impression
 *       shown to a user on the same page (same time), the watch time of pairs ranked the wrong way
 *       ÷ all pairs' watch time. The same two figures for the retrieval score alone show what the
 *       ranker adds.
 * </ul>
 *
 * Ties count half, so a constant scorer gets AUC 0.5 and loss 0.5.
 */
public final class Evaluator {
  /** Caps keep evaluation a few seconds at RW-1M scale; users are sampled with a fixed stride. */
  static final int MAX_USERS = 10_000;

  static final int MAX_SESSIONS = 20_000;
  private static final int[] RECALL_AT = {10, 50, 300};

  /** Groups of the ranker's reliability table (deciles). */
  static final int RELIABILITY_BINS = 10;

  /** Users per batched scan of the video matrix. */
  static final int USER_BATCH = 256;

  /** "Fresh" test targets: uploaded at most this many days before the request. */
  static final int FRESH_DAYS = 7;

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
    // CPU time of this thread too (libtorch runs its one intra-op thread inline): on a shared
    // machine wall time says more about the neighbours than about the evaluator.
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long wall0 = System.nanoTime();
    long cpu0 = threads.getCurrentThreadCpuTime();
    candidateMetrics(timeline, bundle, toBundle, cutoff, window, out);
    long wall1 = System.nanoTime();
    long cpu1 = threads.getCurrentThreadCpuTime();
    out.put("ranker", rankerMetrics(timeline, bundle, toBundle, cutoff));
    long wall2 = System.nanoTime();
    long cpu2 = threads.getCurrentThreadCpuTime();
    out.put(
        "stage_seconds",
        new JsonObject()
            .put("candidate", round((wall1 - wall0) / 1e9))
            .put("candidate_cpu", round((cpu1 - cpu0) / 1e9))
            .put("ranker", round((wall2 - wall1) / 1e9))
            .put("ranker_cpu", round((cpu2 - cpu1) / 1e9)));
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
    VideoCatalog catalog = bundle.catalog();
    int videos = catalog.size();
    int d = bundle.dims();
    int[] popularity = Popularity.counts(t.data(), cutoff, window);
    float[] popScore = new float[videos];
    for (int v = 0; v < toBundle.length; v++) {
      if (toBundle[v] >= 0) {
        popScore[toBundle[v]] = popularity[v];
      }
    }
    float[] popSorted = popScore.clone();
    Arrays.sort(popSorted);
    Metrics popular = new Metrics();
    Metrics freshPopular = new Metrics();
    Batch batch = new Batch(USER_BATCH, d);
    boolean[] marked = new boolean[videos];
    int stride = Math.max(1, (t.users() + MAX_USERS - 1) / MAX_USERS);
    try (UserTower tower = bundle.newUserTower();
        ExactTopK scan = new ExactTopK(bundle.videoVectors(), bundle.videoBias(), d)) {
      for (int u = 0; u < t.users(); u += stride) {
        int before = t.watchesBefore(u, cutoff);
        // The distinct videos watched before the cutoff, in bundle ids.
        int[] excluded = new int[before];
        int n = 0;
        for (int k = 0; k < before; k++) {
          int v = toBundle[t.watchVideo[u][k]];
          if (v >= 0 && !marked[v]) {
            marked[v] = true;
            excluded[n++] = v;
          }
        }
        int target = -1;
        for (int k = before; k < t.watchVideo[u].length && target < 0; k++) {
          int v = toBundle[t.watchVideo[u][k]];
          if (v >= 0 && !marked[v]) {
            target = v;
          }
        }
        for (int k = 0; k < n; k++) {
          marked[excluded[k]] = false;
        }
        if (target < 0) {
          continue;
        }
        excluded = Arrays.copyOf(excluded, n);
        boolean fresh = isFresh(catalog, target, cutoff);
        double popRank = sortedRank(popScore, popSorted, excluded, target);
        popular.add(popRank);
        if (fresh) {
          freshPopular.add(popRank);
        }
        float[] uv = tower.userVector(t.profileAt(u, cutoff), cutoff);
        batch.add(uv, excluded, target, fresh);
        if (batch.full()) {
          batch.flush(scan, marked);
        }
      }
      batch.flush(scan, marked);
    }
    out.put("candidate", batch.model.toJson());
    out.put("popular_baseline", popular.toJson());
    out.put(
        "fresh_targets",
        new JsonObject()
            .put("uploaded_within_days", FRESH_DAYS)
            .put("candidate", batch.freshModel.toJson())
            .put("popular_baseline", freshPopular.toJson()));
  }

  /** Uploaded within {@link #FRESH_DAYS} before the request time (the cutoff). */
  private static boolean isFresh(VideoCatalog catalog, int video, long requestTs) {
    long upload = catalog.uploadTs(video);
    return upload <= requestTs && upload > requestTs - FRESH_DAYS * 86_400L;
  }

  /**
   * Users whose top lists are scanned together: their vectors, what each excludes, each target. The
   * scan asks for enough entries that, after dropping a user's excluded videos, the largest cutoff
   * in {@link #RECALL_AT} is still covered.
   */
  private static final class Batch {
    final Metrics model = new Metrics();
    final Metrics freshModel = new Metrics();
    private final int capacity;
    private final int dims;
    private final float[] vectors;
    private final int[][] excluded;
    private final int[] targets;
    private final boolean[] fresh;
    private int rows;

    Batch(int capacity, int dims) {
      this.capacity = capacity;
      this.dims = dims;
      this.vectors = new float[capacity * dims];
      this.excluded = new int[capacity][];
      this.targets = new int[capacity];
      this.fresh = new boolean[capacity];
    }

    void add(float[] userVector, int[] excludedVideos, int target, boolean isFresh) {
      System.arraycopy(userVector, 0, vectors, rows * dims, dims);
      excluded[rows] = excludedVideos;
      targets[rows] = target;
      fresh[rows] = isFresh;
      rows++;
    }

    boolean full() {
      return rows == capacity;
    }

    void flush(ExactTopK scan, boolean[] marked) {
      if (rows == 0) {
        return;
      }
      // Enough entries that the deepest recall cutoff survives dropping the user's own exclusions.
      int deepest = RECALL_AT[RECALL_AT.length - 1];
      int[] k = new int[rows];
      for (int r = 0; r < rows; r++) {
        k[r] = (int) Math.min(scan.videos(), (long) deepest + 1 + excluded[r].length);
      }
      ExactTopK.Result top = scan.top(vectors, rows, k);
      for (int r = 0; r < rows; r++) {
        for (int v : excluded[r]) {
          marked[v] = true;
        }
        double rank = rankInTop(top.ids()[r], top.scores()[r], marked, targets[r]);
        for (int v : excluded[r]) {
          marked[v] = false;
        }
        model.add(rank);
        if (fresh[r]) {
          freshModel.add(rank);
        }
      }
      rows = 0;
    }
  }

  /**
   * Expected 0-based rank of target among the non-excluded videos (ties count half), read from a
   * user's exact top list (best first). A target missing from the list ranks below all of it: the
   * list holds more than the deepest recall cutoff after exclusions, so it is a miss either way.
   */
  static double rankInTop(int[] ids, float[] scores, boolean[] excluded, int target) {
    float s = Float.NaN;
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] == target) {
        s = scores[i];
        break;
      }
    }
    if (Float.isNaN(s)) {
      return ids.length;
    }
    long above = 0;
    long ties = 0;
    for (int i = 0; i < ids.length; i++) {
      int v = ids[i];
      if (v == target || excluded[v]) {
        continue;
      }
      if (scores[i] > s) {
        above++;
      } else if (scores[i] == s) {
        ties++;
      }
    }
    return above + ties / 2.0;
  }

  /**
   * As {@link #rank}, without a pass over every video: counts from the sorted scores, then takes
   * back the excluded videos (distinct, never the target) that those counts included.
   */
  static double sortedRank(float[] scores, float[] sorted, int[] excluded, int target) {
    float s = scores[target];
    int low = SortedArrays.firstAtOrAfter(sorted, s);
    int high = SortedArrays.firstAtOrAfter(sorted, Math.nextUp(s));
    long above = sorted.length - high;
    long ties = high - low - 1; // not the target itself
    for (int v : excluded) {
      if (scores[v] > s) {
        above--;
      } else if (scores[v] == s) {
        ties--;
      }
    }
    return above + ties / 2.0;
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
    List<float[]> rows = new ArrayList<>(); // {score, retrieval, clicked, seconds, page, user}
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
                      seconds[c],
                      retrieval[c],
                      im.clicked()[i] ? 1 : 0,
                      im.watchSeconds()[i],
                      pages,
                      u
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
        .put("retrieval_score_weighted_per_user_loss", round(PageMetrics.weightedPairLoss(rows, 1)))
        .put("reliability", reliability(rows));
  }

  /** Bootstrap resamples behind each decile's 95% interval of predicted / actual. */
  static final int RELIABILITY_RESAMPLES = 200;

  /** As {@link #reliability(List, int)} with {@link #RELIABILITY_RESAMPLES}. */
  static JsonArray reliability(List<float[]> rows) {
    return reliability(rows, RELIABILITY_RESAMPLES);
  }

  /**
   * Calibration of the ranker's score: rows in {@link #RELIABILITY_BINS} equal-count groups by
   * predicted watch seconds, each with its mean prediction, the mean watch seconds that followed (0
   * without a click), their ratio and, with resamples, the ratio's bootstrap 95% interval over the
   * group's impressions ({@code ratio_low}, {@code ratio_high}: watch time is heavy-tailed, the
   * measurement's own noise). Rows with a sixth column (the user) also get the interval of a
   * bootstrap over users ({@code user_ratio_low}, {@code user_ratio_high}): a user's impressions
   * are correlated, so resampling impressions alone understates the noise.
   *
   * @param rows {score, retrieval score, clicked, watch seconds, page[, user]}
   */
  static JsonArray reliability(List<float[]> rows, int resamples) {
    float[][] sorted = rows.toArray(new float[0][]);
    Arrays.sort(sorted, (x, y) -> Float.compare(x[0], y[0]));
    JsonArray bins = new JsonArray();
    int n = sorted.length;
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(17);
    for (int b = 0; b < RELIABILITY_BINS; b++) {
      int from = (int) ((long) n * b / RELIABILITY_BINS);
      int to = (int) ((long) n * (b + 1) / RELIABILITY_BINS);
      if (to <= from) {
        continue;
      }
      double predicted = 0;
      double actual = 0;
      for (int i = from; i < to; i++) {
        predicted += sorted[i][0];
        actual += watched(sorted[i]);
      }
      predicted /= to - from;
      actual /= to - from;
      JsonObject bin =
          new JsonObject()
              .put("bin", b + 1)
              .put("impressions", to - from)
              .put("mean_predicted_s", round(predicted))
              .put("mean_actual_s", round(actual))
              .put("ratio", actual > 0 ? round(predicted / actual) : null);
      if (resamples > 0 && actual > 0) {
        double[] ratios = new double[resamples];
        int size = to - from;
        for (int r = 0; r < resamples; r++) {
          double p = 0;
          double a = 0;
          for (int k = 0; k < size; k++) {
            float[] row = sorted[from + rnd.nextInt(size)];
            p += row[0];
            a += watched(row);
          }
          ratios[r] = a > 0 ? p / a : Double.POSITIVE_INFINITY;
        }
        Arrays.sort(ratios);
        bin.put("ratio_low", round(ratios[(int) Math.floor(0.025 * (resamples - 1))]))
            .put("ratio_high", round(ratios[(int) Math.ceil(0.975 * (resamples - 1))]));
        if (sorted[from].length > 5) {
          double[] byUser = userBootstrap(sorted, from, to, resamples, rnd);
          bin.put("user_ratio_low", round(byUser[(int) Math.floor(0.025 * (resamples - 1))]))
              .put("user_ratio_high", round(byUser[(int) Math.ceil(0.975 * (resamples - 1))]));
        }
      }
      bins.add(bin);
    }
    return bins;
  }

  /**
   * Sorted ratios of predicted / actual over {@code resamples} draws of the group's users with
   * replacement, each drawn user bringing all of their rows in the group (rows[from, to)).
   */
  static double[] userBootstrap(
      float[][] rows, int from, int to, int resamples, java.util.SplittableRandom rnd) {
    java.util.Map<Float, double[]> sums = new java.util.HashMap<>(); // user → {predicted, actual}
    for (int i = from; i < to; i++) {
      double[] s = sums.computeIfAbsent(rows[i][5], k -> new double[2]);
      s[0] += rows[i][0];
      s[1] += watched(rows[i]);
    }
    double[][] users = sums.values().toArray(new double[0][]);
    double[] ratios = new double[resamples];
    for (int r = 0; r < resamples; r++) {
      double p = 0;
      double a = 0;
      for (int k = 0; k < users.length; k++) {
        double[] s = users[rnd.nextInt(users.length)];
        p += s[0];
        a += s[1];
      }
      ratios[r] = a > 0 ? p / a : Double.POSITIVE_INFINITY;
    }
    Arrays.sort(ratios);
    return ratios;
  }

  private static double watched(float[] row) {
    return row[2] > 0 ? row[3] : 0;
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
