package dev.funnel.quality;

import dev.funnel.data.Dataset;
import dev.funnel.models.ModelBundle;
import dev.funnel.train.ModelTrainer;
import dev.funnel.train.ModelVariant;
import dev.funnel.train.PageMetrics;
import dev.funnel.train.TrainOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The measurements behind {@code docs/quality.md}: list metrics of any {@link Recommender} on a
 * {@link LeaveLastOutSplit}, training the funnel on the split's training side, and the page-level
 * ranker and freshness measurements of the ablations. Every method sees the same split and the same
 * "already watched" exclusions.
 */
public final class QualityEvaluation {
  static final int MAX_K = 50;

  /** Page-level ranker metrics read at most this many test pages (slates of impressions). */
  static final int MAX_PAGES = 4000;

  /** Top of each page whose actual watch time counts as "the list" (3 of a 10-video slate). */
  static final int LIST_TOP = 3;

  private QualityEvaluation() {}

  /** HitRate/Recall@{10,50}, NDCG@10, coverage of {@code method} over the split's users. */
  public static JsonObject listMetrics(LeaveLastOutSplit split, Recommender method) {
    return listMetrics(split, method, null);
  }

  /**
   * As {@link #listMetrics(LeaveLastOutSplit, Recommender)}, and every method may only recommend
   * videos that existed at the user's request time ({@code availability}; null: any video). The
   * result carries the per-user values ({@code per_user}, users in {@link
   * LeaveLastOutSplit#evaluatedUsers()} order) for the bootstrap intervals.
   */
  public static JsonObject listMetrics(
      LeaveLastOutSplit split, Recommender method, ItemAvailability availability) {
    int videos = split.train().videos().size();
    int[][] trainItems = split.trainItems();
    TopKMetrics metrics = new TopKMetrics(videos);
    boolean[] excluded = new boolean[videos];
    long started = System.nanoTime();
    for (int u : split.evaluatedUsers()) {
      for (int v : trainItems[u]) {
        excluded[v] = true;
      }
      int[] missing =
          availability == null
              ? new int[0]
              : availability.markMissing(split.requestTs()[u], excluded);
      metrics.add(method.recommend(u, MAX_K, excluded), split.heldOut()[u]);
      ItemAvailability.unmark(missing, excluded);
      for (int v : trainItems[u]) {
        excluded[v] = false;
      }
    }
    JsonObject j =
        metrics
            .toJson()
            .put("method", method.name())
            .put("seconds", TopKMetrics.round((System.nanoTime() - started) / 1e9));
    return availability == null ? j : j.put("per_user", metrics.perUser());
  }

  /**
   * Home-feed variety: distinct topics in each user's top {@code count} (same exclusions as {@link
   * #listMetrics}), averaged over the split's users.
   */
  static JsonObject topicsPerList(
      LeaveLastOutSplit split, Recommender method, ItemAvailability availability, int count) {
    List<dev.funnel.data.Video> catalogue = split.train().videos();
    int[][] trainItems = split.trainItems();
    boolean[] excluded = new boolean[catalogue.size()];
    double topics = 0;
    int users = 0;
    for (int u : split.evaluatedUsers()) {
      for (int v : trainItems[u]) {
        excluded[v] = true;
      }
      int[] missing = availability.markMissing(split.requestTs()[u], excluded);
      java.util.Set<String> seen = new java.util.HashSet<>();
      for (int v : method.recommend(u, count, excluded)) {
        seen.add(catalogue.get(v).topic());
      }
      ItemAvailability.unmark(missing, excluded);
      for (int v : trainItems[u]) {
        excluded[v] = false;
      }
      topics += seen.size();
      users++;
    }
    return new JsonObject()
        .put("list", count)
        .put("users", users)
        .put("topics_per_list", TopKMetrics.round(topics / Math.max(1, users)));
  }

  /** Trains both models on the split's training side (cutoff just past its last event). */
  static Path trainFunnel(
      LeaveLastOutSplit split, Path modelsRoot, TrainOptions options, ModelVariant variant)
      throws IOException {
    Dataset train = split.train();
    long[] ts = train.watches().ts();
    long last = ts[ts.length - 1];
    if (train.impressions().size() > 0) {
      last = Math.max(last, train.impressions().ts()[train.impressions().size() - 1]);
    }
    return ModelTrainer.train(train, modelsRoot, options, variant, last + 1);
  }

  /**
   * The ranker on test pages (each user's impressions at or after their request time, grouped by
   * timestamp), with profiles from the full dataset up to each page: the paper's weighted per-user
   * loss, AUC, and the watch time of the top {@link #LIST_TOP} of each page as ordered by the
   * ranker, by the retrieval score, at random (the page mean) and by an oracle.
   */
  static JsonObject rankerPages(LeaveLastOutSplit split, FunnelRecommender funnel) {
    Dataset full = split.full();
    Profiles profiles = new Profiles(full);
    Dataset.Impressions im = full.impressions();
    List<float[]> rows = new ArrayList<>(); // {ranker, retrieval, clicked, seconds, page}
    double[] listSeconds = new double[4]; // ranker, retrieval, random, oracle
    int pages = 0;
    for (int u : split.evaluatedUsers()) {
      int[] list = profiles.impressionsOf(u);
      int g = 0;
      while (g < list.length && pages < MAX_PAGES) {
        int end = g;
        long ts = im.ts()[list[g]];
        while (end < list.length && im.ts()[list[end]] == ts) {
          end++;
        }
        if (ts >= split.requestTs()[u] && end - g > LIST_TOP) {
          int n = end - g;
          int[] videos = new int[n];
          float[] seconds = new float[n];
          float[] clicked = new float[n];
          for (int k = 0; k < n; k++) {
            videos[k] = im.video()[list[g + k]];
            seconds[k] = im.clicked()[list[g + k]] ? im.watchSeconds()[list[g + k]] : 0f;
            clicked[k] = im.clicked()[list[g + k]] ? 1 : 0;
          }
          float[] all = funnel.retrievalScores(funnel.profile(u, ts), ts);
          float[] retrieval = new float[n];
          for (int k = 0; k < n; k++) {
            retrieval[k] = all[videos[k]];
          }
          float[] ranker = funnel.rankerScores(u, ts, videos, retrieval);
          listSeconds[0] += topSum(ranker, seconds);
          listSeconds[1] += topSum(retrieval, seconds);
          double total = 0;
          for (float s : seconds) {
            total += s;
          }
          listSeconds[2] += total * LIST_TOP / n;
          listSeconds[3] += topSum(seconds, seconds);
          for (int k = 0; k < n; k++) {
            rows.add(new float[] {ranker[k], retrieval[k], clicked[k], seconds[k], pages});
          }
          pages++;
        }
        g = end;
      }
    }
    JsonObject j = new JsonObject().put("pages", pages).put("impressions", rows.size());
    if (pages == 0) {
      return j.put("note", "no impressions after the request times");
    }
    return j.put("weighted_per_user_loss", TopKMetrics.round(PageMetrics.weightedPairLoss(rows, 0)))
        .put("auc", TopKMetrics.round(PageMetrics.auc(rows, 0)))
        .put(
            "retrieval_weighted_per_user_loss",
            TopKMetrics.round(PageMetrics.weightedPairLoss(rows, 1)))
        .put("list_watch_seconds", round1(listSeconds[0] / pages))
        .put("list_watch_seconds_retrieval", round1(listSeconds[1] / pages))
        .put("list_watch_seconds_random", round1(listSeconds[2] / pages))
        .put("list_watch_seconds_oracle", round1(listSeconds[3] / pages));
  }

  private static double topSum(float[] order, float[] seconds) {
    int[] top = Recommender.topK(order, null, LIST_TOP);
    double s = 0;
    for (int i : top) {
      s += seconds[i];
    }
    return s;
  }

  /** Days-since-upload buckets of the freshness figure (upper bounds, days). */
  static final double[] AGE_BUCKETS = {1, 2, 4, 7, 14, 30, Double.MAX_VALUE};

  static final String[] AGE_LABELS = {"0-1", "1-2", "2-4", "4-7", "7-14", "14-30", "30+"};

  /**
   * The paper's freshness figure: for each video-age bucket (age at the request time), the softmax
   * probability mass the candidate model puts on it, averaged over users, next to the share of
   * held-out watches that fell in it. Videos uploaded after the request time are left out of both.
   */
  static JsonObject freshness(LeaveLastOutSplit split, FunnelRecommender funnel) {
    Dataset full = split.full();
    double[] predicted = new double[AGE_BUCKETS.length];
    double[] actual = new double[AGE_BUCKETS.length];
    int users = 0;
    int[] evaluated = split.evaluatedUsers();
    int stride = Math.max(1, evaluated.length / 1000);
    for (int i = 0; i < evaluated.length; i += stride) {
      int u = evaluated[i];
      long ts = split.requestTs()[u];
      float[] scores = funnel.retrievalScores(funnel.profile(u, ts), ts);
      double max = Double.NEGATIVE_INFINITY;
      for (int v = 0; v < scores.length; v++) {
        if (full.videos().get(v).uploadTs() <= ts) {
          max = Math.max(max, scores[v]);
        }
      }
      double z = 0;
      double[] mass = new double[AGE_BUCKETS.length];
      for (int v = 0; v < scores.length; v++) {
        long upload = full.videos().get(v).uploadTs();
        if (upload <= ts) {
          double p = Math.exp(scores[v] - max);
          z += p;
          mass[bucket((ts - upload) / 86400.0)] += p;
        }
      }
      for (int b = 0; b < mass.length; b++) {
        predicted[b] += mass[b] / z;
      }
      for (int v : split.heldOut()[u]) {
        long upload = full.videos().get(v).uploadTs();
        if (upload <= ts) {
          actual[bucket((ts - upload) / 86400.0)]++;
        }
      }
      users++;
    }
    double actualTotal = 0;
    for (double a : actual) {
      actualTotal += a;
    }
    JsonArray buckets = new JsonArray();
    for (int b = 0; b < AGE_BUCKETS.length; b++) {
      buckets.add(
          new JsonObject()
              .put("age_days", AGE_LABELS[b])
              .put("predicted", TopKMetrics.round(predicted[b] / Math.max(1, users)))
              .put("actual", TopKMetrics.round(actual[b] / Math.max(1, actualTotal))));
    }
    return new JsonObject().put("users", users).put("buckets", buckets);
  }

  private static int bucket(double days) {
    for (int b = 0; b < AGE_BUCKETS.length; b++) {
      if (days < AGE_BUCKETS[b]) {
        return b;
      }
    }
    return AGE_BUCKETS.length - 1;
  }

  static double round1(double x) {
    return Math.round(x * 10) / 10.0;
  }

  /** Loads a trained bundle and measures what {@code what} asks of it. */
  static JsonObject withBundle(Path version, BundleMeasure what) throws IOException {
    try (ModelBundle bundle = ModelBundle.load(version)) {
      return what.measure(bundle);
    }
  }

  @FunctionalInterface
  interface BundleMeasure {
    JsonObject measure(ModelBundle bundle) throws IOException;
  }
}
