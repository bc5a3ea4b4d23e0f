package dev.funnel.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import dev.funnel.data.Dataset;
import dev.funnel.models.FeatureEncoder;
import dev.funnel.models.ModelShapes;
import dev.funnel.models.Quantiles;
import dev.funnel.models.RankerBlock;
import dev.funnel.models.RankerInputs;
import dev.funnel.models.SoftmaxBlock;
import dev.funnel.models.UserInputs;
import dev.funnel.models.UserTowerBlock;
import dev.funnel.models.VideoCatalog;
import dev.funnel.models.WatchTimeCalibration;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the ranker by weighted logistic regression on impressions before the cutoff (clicked:
 * weight = watch seconds; unclicked: weight 1). Its retrieval-score feature is u·w_v + b_v from the
 * already trained candidate model, computed as serving would (example age 0). Datasets without
 * impressions (MovieLens) fall back to watches as positives and sampled unwatched videos as
 * negatives; the manifest says which. The latest {@link #CALIBRATION_SHARE} of the examples is held
 * out of the fit: on it, {@link Calibrator} maps the logit to watch seconds.
 *
 * <p>"Time since last watch" is two features: since the last watch of anything, and since the last
 * watch of the candidate's topic within the 50-watch history the profile keeps.
 */
final class RankerTrainer {
  private static final Logger log = LoggerFactory.getLogger(RankerTrainer.class);
  private static final int NEGATIVES_PER_WATCH = 4;
  private static final int QUANTILE_EDGES = 100;

  /** The latest share of the examples, by time, held out of the fit to calibrate watch time. */
  static final double CALIBRATION_SHARE = 0.1;

  /** Fewer held-out examples (or no click among them): no table, serving uses exp(logit). */
  static final int MIN_CALIBRATION_EXAMPLES = 500;

  static final int CALIBRATION_BINS = 100;

  record Result(
      RankerBlock ranker,
      Quantiles quantiles,
      WatchTimeCalibration calibration,
      JsonObject stats) {}

  /** Ranker examples in columns; raw[f][i] is raw continuous feature f of example i. */
  private record Examples(
      int[] user,
      int[] video,
      long[] ts,
      int[] historyEnd,
      float[] label,
      float[] weight,
      float[][] raw,
      String source) {
    int size() {
      return user.length;
    }
  }

  private RankerTrainer() {}

  static Result train(
      NDManager manager,
      EncodedUsers users,
      FeatureEncoder userEncoder,
      CandidateTrainer.Result candidate,
      ModelShapes shapes,
      long cutoff,
      TrainOptions options) {
    return train(
        manager, users, userEncoder, candidate, shapes, cutoff, options, ModelVariant.standard());
  }

  static Result train(
      NDManager manager,
      EncodedUsers users,
      FeatureEncoder userEncoder,
      CandidateTrainer.Result candidate,
      ModelShapes shapes,
      long cutoff,
      TrainOptions options,
      ModelVariant variant) {
    Timeline t = users.timeline;
    Examples ex =
        t.data().impressions().size() > 0
            ? fromImpressions(t, cutoff, options)
            : fromWatches(t, cutoff, options);
    if (ex.size() == 0) {
      throw new IllegalArgumentException("no ranker examples before the cutoff");
    }
    if (variant.hardRankerNegatives() && t.data().impressions().size() == 0) {
      hardNegatives(manager, users, userEncoder, candidate, ex, options.seed() + 5);
    }
    fillRawFeatures(manager, users, userEncoder, candidate, ex);
    Quantiles quantiles = Quantiles.fit(FeatureEncoder.RANKER_RAW_NAMES, ex.raw(), QUANTILE_EDGES);
    FeatureEncoder encoder =
        new FeatureEncoder(
            userEncoder.vocabularies(),
            userEncoder.catalog(),
            quantiles,
            userEncoder.exampleAgeScaleSeconds());

    int fitEnd = calibrationStart(ex);
    RankerBlock ranker = new RankerBlock(shapes);
    int batch = options.rankerBatchSize();
    ranker.initialize(manager, DataType.FLOAT32, RankerBlock.inputShapes(batch, batch));
    RankerStep optimizer = new RankerStep(manager, ranker, options.rankerLearningRate());
    RankerInputs inputs = new RankerInputs(batch);
    float[] labels = new float[batch];
    float[] weights = new float[batch];
    int n = fitEnd; // the rest calibrates
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    SplittableRandom shuffle = new SplittableRandom(options.seed() + 2);
    JsonArray epochs = new JsonArray();
    long started = System.nanoTime();
    for (int epoch = 1; epoch <= options.rankerEpochs(); epoch++) {
      CandidateTrainer.shuffle(order, shuffle);
      long epochStart = System.nanoTime();
      double lossSum = 0;
      int steps = 0;
      Progress progress = new Progress("ranker epoch " + epoch + "/" + options.rankerEpochs(), n);
      for (int from = 0; from < n; from += batch) {
        int rows = Math.min(batch, n - from);
        progress.update(from);
        for (int r = 0; r < rows; r++) {
          int e = order[from + r];
          encodeRow(encoder, users, ex, e, inputs, r);
          labels[r] = ex.label()[e];
          // Click LR (the ablation) weighs every impression alike; the paper weighs by watch time.
          weights[r] = variant.weightedRanker() ? ex.weight()[e] : 1f;
        }
        try (NDManager step = manager.newSubManager()) {
          NDArray y = step.create(Arrays.copyOf(labels, rows));
          NDArray w = step.create(Arrays.copyOf(weights, rows));
          lossSum += optimizer.step(step, inputs, rows, y, w);
        }
        steps++;
      }
      double seconds = (System.nanoTime() - epochStart) / 1e9;
      progress.finish(String.format("loss %.4f", lossSum / steps));
      log.info(
          "ranker epoch {}/{}: {} examples, {} ex/s, weighted LR loss {}",
          epoch,
          options.rankerEpochs(),
          n,
          String.format("%.0f", n / seconds),
          String.format("%.4f", lossSum / steps));
      epochs.add(
          new JsonObject()
              .put("epoch", epoch)
              .put("loss", CandidateTrainer.round(lossSum / steps))
              .put("seconds", CandidateTrainer.round(seconds))
              .put("examples_per_s", Math.round(n / seconds)));
    }
    double total = (System.nanoTime() - started) / 1e9;
    JsonObject stats =
        new JsonObject()
            .put("source", ex.source())
            .put("examples", n)
            .put("epochs", epochs)
            .put("seconds", CandidateTrainer.round(total))
            .put("examples_per_s", Math.round((double) n * options.rankerEpochs() / total));
    WatchTimeCalibration calibration = WatchTimeCalibration.ODDS;
    if (fitEnd < ex.size()) {
      calibration = calibrate(manager, ranker, encoder, users, ex, fitEnd, batch, stats);
    }
    return new Result(ranker, quantiles, calibration, stats);
  }

  /**
   * Start of the held-out calibration slice: the last {@link #CALIBRATION_SHARE} of the examples
   * (time-ordered), moved to a time boundary so one page or watch group stays on one side; the
   * example count when the slice would be too small to fit a table.
   */
  private static int calibrationStart(Examples ex) {
    int n = ex.size();
    int start = (int) Math.floor(n * (1 - CALIBRATION_SHARE));
    while (start > 0 && start < n && ex.ts()[start] == ex.ts()[start - 1]) {
      start++;
    }
    int clicks = 0;
    for (int e = start; e < n; e++) {
      clicks += ex.label()[e] > 0 ? 1 : 0;
    }
    return n - start < MIN_CALIBRATION_EXAMPLES || clicks == 0 || start == 0 ? n : start;
  }

  /**
   * Fits the logit → watch seconds table on examples [from, size) the network did not see, and
   * records in {@code stats} how far the raw odds were off.
   */
  private static WatchTimeCalibration calibrate(
      NDManager manager,
      RankerBlock ranker,
      FeatureEncoder encoder,
      EncodedUsers users,
      Examples ex,
      int from,
      int batch,
      JsonObject stats) {
    int n = ex.size() - from;
    float[] logits = new float[n];
    float[] seconds = new float[n];
    ParameterStore ps = new ParameterStore(manager, false);
    RankerInputs inputs = new RankerInputs(batch);
    for (int start = 0; start < n; start += batch) {
      int rows = Math.min(batch, n - start);
      for (int r = 0; r < rows; r++) {
        int e = from + start + r;
        encodeRow(encoder, users, ex, e, inputs, r);
        // A click's weight is its watch seconds (at least 1 s); no click watched nothing.
        seconds[start + r] = ex.label()[e] * ex.weight()[e];
      }
      try (NDManager step = manager.newSubManager()) {
        float[] out =
            ranker
                .forward(ps, inputs.toNDList(step, rows, rows), false)
                .singletonOrThrow()
                .toFloatArray();
        System.arraycopy(out, 0, logits, start, rows);
      }
    }
    WatchTimeCalibration table = Calibrator.fit(logits, seconds, CALIBRATION_BINS);
    double actual = 0;
    double odds = 0;
    double calibrated = 0;
    for (int i = 0; i < n; i++) {
      actual += seconds[i];
      odds += Math.exp(logits[i]);
      calibrated += table.seconds(logits[i]);
    }
    stats.put(
        "calibration",
        new JsonObject()
            .put("held_out_examples", n)
            .put("held_out_from_ts", ex.ts()[from])
            .put("knots", table.toJson().getJsonArray("logit").size())
            .put("mean_watch_s", CandidateTrainer.round(actual / n))
            .put("mean_exp_logit_s", CandidateTrainer.round(odds / n))
            .put("mean_calibrated_s", CandidateTrainer.round(calibrated / n)));
    log.info(
        "ranker calibration on {} held-out examples: mean watch {} s, exp(logit) {} s,"
            + " calibrated {} s",
        n,
        String.format("%.1f", actual / n),
        String.format("%.1f", odds / n),
        String.format("%.1f", calibrated / n));
    return table;
  }

  private static void encodeRow(
      FeatureEncoder encoder, EncodedUsers users, Examples ex, int e, RankerInputs out, int row) {
    int u = ex.user()[e];
    encoder.encodeRankerUser(
        out, row, users.timeline.watchVideo[u], 0, ex.historyEnd()[e], users.language[u]);
    float[][] raw = ex.raw();
    encoder.encodeRankerRow(
        out, row, ex.video()[e], raw[0][e], raw[1][e], raw[2][e], raw[3][e], raw[4][e]);
  }

  private static Examples fromImpressions(Timeline t, long cutoff, TrainOptions options) {
    Dataset.Impressions im = t.data().impressions();
    // Previous showings of the same video to the same user, counted strictly before each one.
    int total = im.size();
    float[] previous = new float[total];
    for (int u = 0; u < t.users(); u++) {
      Map<Integer, Integer> shown = new HashMap<>();
      int[] list = t.impressions[u];
      int g = 0;
      while (g < list.length) {
        int end = g;
        while (end < list.length && im.ts()[list[end]] == im.ts()[list[g]]) {
          end++;
        }
        for (int k = g; k < end; k++) {
          previous[list[k]] = shown.getOrDefault(im.video()[list[k]], 0);
        }
        for (int k = g; k < end; k++) {
          shown.merge(im.video()[list[k]], 1, Integer::sum);
        }
        g = end;
      }
    }
    int eligible = 0;
    while (eligible < total && im.ts()[eligible] < cutoff) {
      eligible++;
    }
    int[] chosen = sample(eligible, options.maxRankerExamples(), options.seed() + 3);
    int n = chosen.length;
    Examples ex = allocate(n, "impressions");
    for (int k = 0; k < n; k++) {
      int i = chosen[k];
      int u = im.user()[i];
      ex.user()[k] = u;
      ex.video()[k] = im.video()[i];
      ex.ts()[k] = im.ts()[i];
      ex.historyEnd()[k] = t.watchesBefore(u, im.ts()[i]);
      ex.label()[k] = im.clicked()[i] ? 1f : 0f;
      ex.weight()[k] = im.clicked()[i] ? Math.max(1f, im.watchSeconds()[i]) : 1f;
      ex.raw()[2][k] = previous[i];
    }
    return ex;
  }

  private static Examples fromWatches(Timeline t, long cutoff, TrainOptions options) {
    Dataset.Watches w = t.data().watches();
    int eligible = 0;
    while (eligible < w.size() && w.ts()[eligible] < cutoff) {
      eligible++;
    }
    int[] chosen =
        sample(
            eligible, options.maxRankerExamples() / (1 + NEGATIVES_PER_WATCH), options.seed() + 3);
    int per = 1 + NEGATIVES_PER_WATCH;
    Examples ex = allocate(chosen.length * per, "watches+sampled negatives");
    SplittableRandom rnd = new SplittableRandom(options.seed() + 4);
    int videos = t.data().videos().size();
    int k = 0;
    for (int i : chosen) {
      int u = w.user()[i];
      int historyEnd = t.watchesBefore(u, w.ts()[i]);
      for (int j = 0; j < per; j++) {
        ex.user()[k] = u;
        ex.video()[k] = j == 0 ? w.video()[i] : rnd.nextInt(videos);
        ex.ts()[k] = w.ts()[i];
        ex.historyEnd()[k] = historyEnd;
        ex.label()[k] = j == 0 ? 1f : 0f;
        ex.weight()[k] = j == 0 ? Math.max(1f, w.watchSeconds()[i]) : 1f;
        ex.raw()[2][k] = 0f; // no impression log: nobody was shown anything
        k++;
      }
    }
    return ex;
  }

  private static Examples allocate(int n, String source) {
    return new Examples(
        new int[n],
        new int[n],
        new long[n],
        new int[n],
        new float[n],
        new float[n],
        new float[FeatureEncoder.RANKER_RAW][n],
        source);
  }

  /** min(count, max) distinct indices of [0, count), ascending, chosen uniformly. */
  private static int[] sample(int count, int max, long seed) {
    int[] all = new int[count];
    for (int i = 0; i < count; i++) {
      all[i] = i;
    }
    if (count <= max) {
      return all;
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int i = 0; i < max; i++) {
      int j = i + rnd.nextInt(count - i);
      int tmp = all[i];
      all[i] = all[j];
      all[j] = tmp;
    }
    int[] chosen = Arrays.copyOf(all, max);
    Arrays.sort(chosen);
    return chosen;
  }

  /** Candidates per watch that hard negatives are drawn from: what serving sends the ranker. */
  private static final int HARD_NEGATIVE_POOL = 300;

  /**
   * Without an impression log, replaces the uniformly sampled negatives of each watch by videos
   * from the candidate model's top {@link #HARD_NEGATIVE_POOL} for that user at that time (not the
   * watched video, not in the user's history): the ranker then learns to order what retrieval
   * actually hands it, instead of telling watches from random catalogue videos.
   */
  private static void hardNegatives(
      NDManager manager,
      EncodedUsers users,
      FeatureEncoder encoder,
      CandidateTrainer.Result candidate,
      Examples ex,
      long seed) {
    Timeline t = users.timeline;
    int per = 1 + NEGATIVES_PER_WATCH;
    int groups = ex.size() / per;
    ParameterStore ps = new ParameterStore(manager, false);
    SplittableRandom rnd = new SplittableRandom(seed);
    int batch = 256;
    UserInputs inputs = new UserInputs(batch);
    for (int from = 0; from < groups; from += batch) {
      int rows = Math.min(batch, groups - from);
      for (int r = 0; r < rows; r++) {
        int e = (from + r) * per;
        users.encode(encoder, ex.user()[e], ex.historyEnd()[e], ex.ts()[e], 0f, inputs, r);
      }
      long[] top;
      int pool;
      try (NDManager step = manager.newSubManager()) {
        NDArray u =
            candidate.tower().forward(ps, inputs.toNDList(step, rows), false).singletonOrThrow();
        NDArray w = ps.getValue(candidate.softmax().weight(), u.getDevice(), false);
        NDArray b = ps.getValue(candidate.softmax().bias(), u.getDevice(), false);
        NDArray logits = u.matMul(w.transpose()).add(b.reshape(1, -1));
        pool = (int) Math.min(HARD_NEGATIVE_POOL, logits.getShape().get(1));
        top = logits.argSort(1, false).get(":, :" + pool).toLongArray();
      }
      for (int r = 0; r < rows; r++) {
        int e = (from + r) * per;
        int u = ex.user()[e];
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int k = 0; k < ex.historyEnd()[e]; k++) {
          seen.add(t.watchVideo[u][k]);
        }
        seen.add(ex.video()[e]);
        for (int j = 1; j < per; j++) {
          for (int attempt = 0; attempt < 20; attempt++) {
            int v = (int) top[r * pool + rnd.nextInt(pool)];
            if (!seen.contains(v)) {
              ex.video()[e + j] = v;
              break;
            }
          }
        }
      }
    }
  }

  /** Raw features 0, 1, 3, 4 (2 is set by the example source): times, age, retrieval score. */
  private static void fillRawFeatures(
      NDManager manager,
      EncodedUsers users,
      FeatureEncoder encoder,
      CandidateTrainer.Result candidate,
      Examples ex) {
    Timeline t = users.timeline;
    VideoCatalog catalog = encoder.catalog();
    float[][] raw = ex.raw();
    for (int e = 0; e < ex.size(); e++) {
      int u = ex.user()[e];
      int v = ex.video()[e];
      long ts = ex.ts()[e];
      int end = ex.historyEnd()[e];
      raw[0][e] = FeatureEncoder.secondsSince(ts, end > 0 ? t.watchTs[u][end - 1] : 0L);
      long topicTs = 0;
      int topic = catalog.topicId(v);
      for (int k = end - 1; k >= Math.max(0, end - FeatureEncoder.HISTORY); k--) {
        if (catalog.topicId(t.watchVideo[u][k]) == topic) {
          topicTs = t.watchTs[u][k];
          break;
        }
      }
      raw[1][e] = FeatureEncoder.secondsSince(ts, topicTs);
      raw[3][e] = encoder.videoAgeSeconds(v, ts);
    }
    // Retrieval scores in batches through the trained tower, as serving computes them.
    UserTowerBlock tower = candidate.tower();
    SoftmaxBlock softmax = candidate.softmax();
    ParameterStore ps = new ParameterStore(manager, false);
    int batch = 1024;
    UserInputs inputs = new UserInputs(batch);
    long[] videos = new long[batch];
    for (int from = 0; from < ex.size(); from += batch) {
      int rows = Math.min(batch, ex.size() - from);
      for (int r = 0; r < rows; r++) {
        int e = from + r;
        users.encode(encoder, ex.user()[e], ex.historyEnd()[e], ex.ts()[e], 0f, inputs, r);
        videos[r] = ex.video()[e];
      }
      try (NDManager step = manager.newSubManager()) {
        NDArray u = tower.forward(ps, inputs.toNDList(step, rows), false).singletonOrThrow();
        NDArray ids = step.create(Arrays.copyOf(videos, rows));
        float[] scores = softmax.pairLogits(ps, u, ids, false).toFloatArray();
        System.arraycopy(scores, 0, raw[4], from, rows);
      }
    }
  }
}
