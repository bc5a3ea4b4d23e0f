package dev.funnel.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import dev.funnel.data.Dataset;
import dev.funnel.features.RecentCounts;
import dev.funnel.features.UserProfile;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the ranker by weighted logistic regression on the impressions of a time window [from, to)
 * (clicked: weight = watch seconds; unclicked: weight 1). Its retrieval-score feature is u·w_v +
 * b_v from a candidate model fitted before the window ({@link ModelTrainer}'s protocol), computed
 * as serving would (example age 0), so the ranker learns the feature as strong as it is at serving
 * and not as strong as it is on the model's own training watches. Datasets without impressions
 * (MovieLens) take watches as positives and negatives drawn as the manifest says. The served ranker
 * trains on every example; {@link Calibrator} maps its logit to watch seconds with a table fitted
 * on out-of-fold logits ({@link #CALIBRATION_FOLDS} more rankers, each trained without one fold of
 * users, score that fold).
 *
 * <p>Datasets without impressions (MovieLens) fall back to watches as positives and, per watch,
 * {@value #NEGATIVES_PER_WATCH} negatives among the videos that existed then (uploaded at or before
 * the watch) and that the user had not watched before: by default drawn from the candidate model's
 * top {@value #HARD_NEGATIVE_POOL} for that user at that time (what retrieval hands the ranker),
 * else uniformly. The manifest says which ({@code source}, {@code negatives}).
 *
 * <p>The raw features come from {@link FeatureEncoder#rankerRawFeatures(int[], long[], int, int,
 * float, int, float, long, float[])}, the code serving uses; previous impressions are counted with
 * the profile's capped rule ({@link RecentCounts}).
 */
final class RankerTrainer {
  private static final Logger log = LoggerFactory.getLogger(RankerTrainer.class);
  private static final int NEGATIVES_PER_WATCH = 4;
  private static final int QUANTILE_EDGES = 100;

  /**
   * Folds (by user) of the out-of-fold logits the calibration table is fitted on; the ranker is
   * trained once more per fold, on the other folds.
   */
  static final int CALIBRATION_FOLDS = 2;

  /** Passes over each example, per epoch: the served ranker's and the fold rankers'. */
  static int passesPerEpoch() {
    return CALIBRATION_FOLDS; // 1 + (folds - 1)
  }

  /** Fewer examples (or no click among them): no table, serving uses exp(logit). */
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
    return train(
        manager,
        users,
        userEncoder,
        candidate,
        shapes,
        Long.MIN_VALUE,
        cutoff,
        options,
        variant,
        null,
        null,
        null);
  }

  /** Examples a window [from, to) gives (after the cap), for planning the run. */
  static long countExamples(Timeline t, long from, long to, TrainOptions options) {
    Dataset.Impressions im = t.data().impressions();
    if (im.size() > 0) {
      return Math.min(options.maxRankerExamples(), between(im.ts(), from, to));
    }
    int per = 1 + NEGATIVES_PER_WATCH;
    return (long) per
        * Math.min(options.maxRankerExamples() / per, between(t.data().watches().ts(), from, to));
  }

  /**
   * @param windowFrom start of the example window (inclusive; Long.MIN_VALUE: the data's start)
   * @param windowTo end of the example window (exclusive)
   * @param run the whole run's progress (null: none), with this trainer's two phases: scoring (hard
   *     negatives and retrieval scores) and training
   */
  static Result train(
      NDManager manager,
      EncodedUsers users,
      FeatureEncoder userEncoder,
      CandidateTrainer.Result candidate,
      ModelShapes shapes,
      long windowFrom,
      long windowTo,
      TrainOptions options,
      ModelVariant variant,
      RunProgress run,
      RunProgress.Phase scoringPhase,
      RunProgress.Phase trainingPhase) {
    Timeline t = users.timeline;
    boolean impressions = t.data().impressions().size() > 0;
    Examples ex =
        impressions
            ? fromImpressions(t, windowFrom, windowTo, options)
            : fromWatches(t, windowFrom, windowTo, options);
    if (ex.size() == 0) {
      throw new IllegalArgumentException("no ranker examples in the window");
    }
    if (run != null && scoringPhase != null) {
      run.start(scoringPhase);
    }
    String negatives = "impressions shown and not clicked";
    if (!impressions) {
      negatives = "uniform among existing, unwatched videos";
      if (variant.hardRankerNegatives()) {
        int[] uniform = ex.video().clone();
        int dropped = hardNegatives(manager, users, userEncoder, candidate, ex, options.seed() + 5);
        if (dropped == ex.size() / (1 + NEGATIVES_PER_WATCH)) {
          // Retrieval shows none of the watches: keep the uniform negatives rather than nothing.
          System.arraycopy(uniform, 0, ex.video(), 0, uniform.length);
          log.warn(
              "no watch of the ranker's window is in the retrieval top {}", HARD_NEGATIVE_POOL);
        }
        negatives =
            "retrieval top "
                + HARD_NEGATIVE_POOL
                + " among existing, unwatched videos; watches outside it dropped ("
                + dropped
                + " of "
                + ex.size() / (1 + NEGATIVES_PER_WATCH)
                + ")";
      }
      ex = withoutMissing(ex);
    }
    fillRawFeatures(manager, users, userEncoder, candidate, ex);
    if (run != null && scoringPhase != null) {
      run.finish(scoringPhase);
    }
    double trainAuc = retrievalScoreAuc(ex);
    int beforeUpload = 0;
    for (int e = 0; e < ex.size(); e++) {
      beforeUpload += ex.ts()[e] < userEncoder.catalog().uploadTs(ex.video()[e]) ? 1 : 0;
    }
    log.info(
        "ranker: {} examples ({}; negatives: {}), retrieval-score click AUC on them {}",
        ex.size(),
        ex.source(),
        negatives,
        String.format("%.4f", trainAuc));
    Quantiles quantiles = Quantiles.fit(FeatureEncoder.RANKER_RAW_NAMES, ex.raw(), QUANTILE_EDGES);
    FeatureEncoder encoder =
        new FeatureEncoder(
            userEncoder.vocabularies(),
            userEncoder.catalog(),
            quantiles,
            userEncoder.exampleAgeScaleSeconds());

    int n = ex.size();
    int[] all = new int[n];
    for (int i = 0; i < n; i++) {
      all[i] = i;
    }
    long started = System.nanoTime();
    if (run != null && trainingPhase != null) {
      run.start(trainingPhase);
    }
    JsonArray epochs = new JsonArray();
    long[] done = {0};
    RankerBlock ranker =
        fit(
            manager,
            shapes,
            encoder,
            users,
            ex,
            all,
            options,
            variant,
            "ranker",
            options.seed() + 2,
            run,
            trainingPhase,
            done,
            epochs);
    double total = (System.nanoTime() - started) / 1e9;
    JsonObject stats =
        new JsonObject()
            .put("source", ex.source())
            .put("negatives", negatives)
            .put("window", CandidateTrainer.window(windowFrom, windowTo))
            .put("retrieval_score_auc", CandidateTrainer.round(trainAuc))
            .put("examples_before_upload", beforeUpload)
            .put("examples", n)
            .put("epochs", epochs)
            .put("seconds", CandidateTrainer.round(total))
            .put("examples_per_s", Math.round((double) n * options.rankerEpochs() / total));
    WatchTimeCalibration calibration = WatchTimeCalibration.ODDS;
    int[] fold = folds(ex, CALIBRATION_FOLDS, options.seed() + 6);
    if (fold != null) {
      calibration =
          calibrate(
              manager,
              ranker,
              shapes,
              encoder,
              users,
              ex,
              fold,
              options,
              variant,
              run,
              trainingPhase,
              done,
              stats);
    }
    if (run != null && trainingPhase != null) {
      run.finish(trainingPhase);
    }
    return new Result(ranker, quantiles, calibration, stats);
  }

  /**
   * Trains a fresh ranker on the examples {@code rows} ({@code options.rankerEpochs()} shuffled
   * passes), adding one entry per epoch to {@code epochsOut} and the examples done to {@code
   * done[0]} (the phase's progress).
   */
  private static RankerBlock fit(
      NDManager manager,
      ModelShapes shapes,
      FeatureEncoder encoder,
      EncodedUsers users,
      Examples ex,
      int[] rows,
      TrainOptions options,
      ModelVariant variant,
      String label,
      long seed,
      RunProgress run,
      RunProgress.Phase phase,
      long[] done,
      JsonArray epochsOut) {
    RankerBlock ranker = new RankerBlock(shapes);
    int batch = options.rankerBatchSize();
    ranker.initialize(manager, DataType.FLOAT32, RankerBlock.inputShapes(batch, batch));
    RankerStep optimizer = new RankerStep(manager, ranker, options.rankerLearningRate());
    RankerInputs inputs = new RankerInputs(batch);
    float[] labels = new float[batch];
    float[] weights = new float[batch];
    int n = rows.length;
    int[] order = rows.clone();
    SplittableRandom shuffle = new SplittableRandom(seed);
    for (int epoch = 1; epoch <= options.rankerEpochs(); epoch++) {
      CandidateTrainer.shuffle(order, shuffle);
      long epochStart = System.nanoTime();
      double lossSum = 0;
      int steps = 0;
      Progress progress =
          new Progress(
              label + " epoch " + epoch + "/" + options.rankerEpochs(), n, run, phase, done[0]);
      for (int from = 0; from < n; from += batch) {
        int count = Math.min(batch, n - from);
        progress.update(from);
        for (int r = 0; r < count; r++) {
          int e = order[from + r];
          encodeRow(encoder, users, ex, e, inputs, r);
          labels[r] = ex.label()[e];
          // Click LR (the ablation) weighs every impression alike; the paper weighs by watch time.
          weights[r] = variant.weightedRanker() ? ex.weight()[e] : 1f;
        }
        try (NDManager step = manager.newSubManager()) {
          NDArray y = step.create(Arrays.copyOf(labels, count));
          NDArray w = step.create(Arrays.copyOf(weights, count));
          lossSum += optimizer.step(step, inputs, count, y, w);
        }
        steps++;
      }
      done[0] += n;
      double seconds = (System.nanoTime() - epochStart) / 1e9;
      progress.finish(String.format("loss %.4f", lossSum / steps));
      log.info(
          "{} epoch {}/{}: {} examples, {} ex/s, weighted LR loss {}",
          label,
          epoch,
          options.rankerEpochs(),
          n,
          String.format("%.0f", n / seconds),
          String.format("%.4f", lossSum / steps));
      if (epochsOut != null) {
        epochsOut.add(
            new JsonObject()
                .put("epoch", epoch)
                .put("loss", CandidateTrainer.round(lossSum / steps))
                .put("seconds", CandidateTrainer.round(seconds))
                .put("examples_per_s", Math.round(n / seconds)));
      }
    }
    return ranker;
  }

  /**
   * Each example's calibration fold, by user (a user's pages stay in one fold), or null when the
   * examples are too few (or without a click, or all of one user) to fit a table.
   */
  static int[] folds(Examples ex, int folds, long seed) {
    int n = ex.size();
    int[] fold = new int[n];
    int[] size = new int[folds];
    int clicks = 0;
    for (int e = 0; e < n; e++) {
      fold[e] = foldOf(ex.user()[e], folds, seed);
      size[fold[e]]++;
      clicks += ex.label()[e] > 0 ? 1 : 0;
    }
    for (int s : size) {
      if (s == 0) {
        return null;
      }
    }
    return n < MIN_CALIBRATION_EXAMPLES || clicks == 0 ? null : fold;
  }

  /** A user's fold: a mixed hash of the id, so folds do not follow id order. */
  static int foldOf(int user, int folds, long seed) {
    long z = (user + seed) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return (int) Math.floorMod(z ^ (z >>> 31), (long) folds);
  }

  /**
   * Fits the logit → watch seconds table on out-of-fold logits: for each fold, a ranker trained on
   * the other folds scores it, so every example is scored by a model that did not see it, and the
   * table is fitted on all of them (sklearn's {@code CalibratedClassifierCV(ensemble=False)} does
   * the same). Watch time is heavy-tailed (coefficient of variation ≈ 3.4 on RW-small), so the
   * table needs many examples: the former held-out slice (the latest 10%, 9,462 examples on
   * RW-small) left each decile's mean ±11% to chance. Records in {@code stats} how far the raw odds
   * were off.
   */
  private static WatchTimeCalibration calibrate(
      NDManager manager,
      RankerBlock served,
      ModelShapes shapes,
      FeatureEncoder encoder,
      EncodedUsers users,
      Examples ex,
      int[] fold,
      TrainOptions options,
      ModelVariant variant,
      RunProgress run,
      RunProgress.Phase phase,
      long[] done,
      JsonObject stats) {
    int n = ex.size();
    float[] logits = new float[n];
    float[] seconds = new float[n];
    for (int e = 0; e < n; e++) {
      // A click's weight is its watch seconds (at least 1 s); no click watched nothing.
      seconds[e] = ex.label()[e] * ex.weight()[e];
    }
    int folds = CALIBRATION_FOLDS;
    for (int f = 0; f < folds; f++) {
      int[] train = new int[n];
      int[] held = new int[n];
      int nt = 0;
      int nh = 0;
      for (int e = 0; e < n; e++) {
        if (fold[e] == f) {
          held[nh++] = e;
        } else {
          train[nt++] = e;
        }
      }
      // The fold's ranker lives in its own manager: at RW-1M its video table is 128 MB.
      try (NDManager foldManager = manager.newSubManager()) {
        RankerBlock model =
            fit(
                foldManager,
                shapes,
                encoder,
                users,
                ex,
                Arrays.copyOf(train, nt),
                options,
                variant,
                "ranker fold " + (f + 1) + "/" + folds,
                options.seed() + 20 + f,
                run,
                phase,
                done,
                null);
        float[] out =
            logits(
                foldManager,
                model,
                encoder,
                users,
                ex,
                Arrays.copyOf(held, nh),
                options.rankerBatchSize());
        for (int k = 0; k < nh; k++) {
          logits[held[k]] = out[k];
        }
      }
    }
    // Serving caps each value at the video's duration: the table is fitted for that.
    float[] caps = new float[n];
    for (int e = 0; e < n; e++) {
      caps[e] = encoder.catalog().durationSeconds(ex.video()[e]);
    }
    WatchTimeCalibration table = Calibrator.fit(logits, seconds, caps, CALIBRATION_BINS);
    double actual = 0;
    double odds = 0;
    double calibrated = 0;
    for (int i = 0; i < n; i++) {
      actual += seconds[i];
      odds += Math.exp(logits[i]);
      float value = table.seconds(logits[i]);
      calibrated += caps[i] > 0 ? Math.min(value, caps[i]) : value;
    }
    // The fold rankers learned from half the examples, and their logits run higher than the
    // served ranker's (RW-small: the table on them served the test period 0.28–0.89 of its
    // watch time). The table is fitted on ranks, not logits: each knot moves to the served
    // ranker's logit at the same quantile of the examples.
    float[] servedLogits =
        logits(manager, served, encoder, users, ex, all(n), options.rankerBatchSize());
    table = toServedScale(table, logits, servedLogits);
    stats.put(
        "calibration",
        new JsonObject()
            .put(
                "method",
                "isotonic regression on out-of-fold logits, knots moved to the served"
                    + " ranker's logits at the same quantile")
            .put("folds", folds)
            .put("fold_by", "user")
            .put("examples", n)
            .put("knots", table.toJson().getJsonArray("logit").size())
            .put("mean_watch_s", CandidateTrainer.round(actual / n))
            .put("mean_exp_logit_s", CandidateTrainer.round(odds / n))
            .put("mean_calibrated_capped_s", CandidateTrainer.round(calibrated / n)));
    log.info(
        "ranker calibration on {} out-of-fold examples: mean watch {} s, exp(logit) {} s,"
            + " calibrated {} s",
        n,
        String.format("%.1f", actual / n),
        String.format("%.1f", odds / n),
        String.format("%.1f", calibrated / n));
    return table;
  }

  private static int[] all(int n) {
    int[] rows = new int[n];
    for (int i = 0; i < n; i++) {
      rows[i] = i;
    }
    return rows;
  }

  /**
   * Moves each knot of {@code table} (fitted on {@code from} logits) to the logit of the same
   * quantile among {@code to} (the same examples under another model); knots that would tie are
   * dropped, so the table stays strictly increasing.
   */
  static WatchTimeCalibration toServedScale(WatchTimeCalibration table, float[] from, float[] to) {
    float[] a = from.clone();
    float[] b = to.clone();
    Arrays.sort(a);
    Arrays.sort(b);
    JsonObject knots = table.toJson();
    JsonArray xs = knots.getJsonArray("logit");
    JsonArray ys = knots.getJsonArray("seconds");
    float[] x = new float[xs.size()];
    float[] y = new float[xs.size()];
    int k = 0;
    for (int i = 0; i < xs.size(); i++) {
      float q = quantileOf(a, xs.getFloat(i));
      float moved = valueAt(b, q);
      float value = ys.getFloat(i);
      if (k > 0 && (moved <= x[k - 1] || value <= y[k - 1])) {
        continue;
      }
      x[k] = moved;
      y[k] = value;
      k++;
    }
    return WatchTimeCalibration.table(Arrays.copyOf(x, k), Arrays.copyOf(y, k));
  }

  /** Fractional position (0..n−1) of v in ascending {@code sorted}, interpolated. */
  private static float quantileOf(float[] sorted, float v) {
    int n = sorted.length;
    if (v <= sorted[0]) {
      return 0;
    }
    if (v >= sorted[n - 1]) {
      return n - 1;
    }
    int lo = 0;
    int hi = n - 1; // sorted[lo] < v <= sorted[hi]
    while (hi - lo > 1) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] < v) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    float span = sorted[hi] - sorted[lo];
    return lo + (span > 0 ? (v - sorted[lo]) / span : 0);
  }

  private static float valueAt(float[] sorted, float position) {
    int lo = (int) Math.floor(position);
    int hi = Math.min(sorted.length - 1, lo + 1);
    float t = position - lo;
    return sorted[lo] + t * (sorted[hi] - sorted[lo]);
  }

  /** The ranker's logit for each example of {@code rows}. */
  private static float[] logits(
      NDManager manager,
      RankerBlock ranker,
      FeatureEncoder encoder,
      EncodedUsers users,
      Examples ex,
      int[] rows,
      int batch) {
    int n = rows.length;
    float[] logits = new float[n];
    ParameterStore ps = new ParameterStore(manager, false);
    RankerInputs inputs = new RankerInputs(batch);
    for (int start = 0; start < n; start += batch) {
      int count = Math.min(batch, n - start);
      for (int r = 0; r < count; r++) {
        encodeRow(encoder, users, ex, rows[start + r], inputs, r);
      }
      try (NDManager step = manager.newSubManager()) {
        float[] out =
            ranker
                .forward(ps, inputs.toNDList(step, count, count), false)
                .singletonOrThrow()
                .toFloatArray();
        System.arraycopy(out, 0, logits, start, count);
      }
    }
    return logits;
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

  /**
   * Per impression row: how often its video had been shown to its user before (strictly earlier
   * showings), counted with the profile's capped rule, so it equals what the user's profile just
   * before the impression says.
   */
  static float[] previousImpressions(Timeline t) {
    Dataset.Impressions im = t.data().impressions();
    float[] previous = new float[im.size()];
    for (int u = 0; u < t.users(); u++) {
      RecentCounts<Integer> shown = new RecentCounts<>(UserProfile.MAX_IMPRESSIONS);
      int[] list = t.impressions[u];
      int g = 0;
      while (g < list.length) {
        int end = g;
        while (end < list.length && im.ts()[list[end]] == im.ts()[list[g]]) {
          end++;
        }
        for (int k = g; k < end; k++) {
          previous[list[k]] = shown.count(im.video()[list[k]]);
        }
        for (int k = g; k < end; k++) {
          shown.show(im.video()[list[k]]);
        }
        g = end;
      }
    }
    return previous;
  }

  private static Examples fromImpressions(Timeline t, long from, long to, TrainOptions options) {
    Dataset.Impressions im = t.data().impressions();
    float[] previous = previousImpressions(t);
    int first = firstAtOrAfter(im.ts(), from);
    int eligible = firstAtOrAfter(im.ts(), to) - first;
    int[] chosen = sample(eligible, options.maxRankerExamples(), options.seed() + 3);
    int n = chosen.length;
    Examples ex = allocate(n, "impressions");
    for (int k = 0; k < n; k++) {
      int i = first + chosen[k];
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

  /**
   * Watches of [from, to) as positives, each followed by {@value #NEGATIVES_PER_WATCH} uniformly
   * drawn negatives among the videos uploaded at or before the watch and not watched by the user
   * before it (video −1 where none was found: {@link #withoutMissing} drops those rows).
   */
  private static Examples fromWatches(Timeline t, long from, long to, TrainOptions options) {
    Dataset.Watches w = t.data().watches();
    int first = firstAtOrAfter(w.ts(), from);
    int eligible = firstAtOrAfter(w.ts(), to) - first;
    int per = 1 + NEGATIVES_PER_WATCH;
    int[] chosen = sample(eligible, options.maxRankerExamples() / per, options.seed() + 3);
    Examples ex = allocate(chosen.length * per, "watches+sampled negatives");
    SplittableRandom rnd = new SplittableRandom(options.seed() + 4);
    ExistingVideos existing = new ExistingVideos(t.data());
    Set<Integer> seen = new HashSet<>();
    int k = 0;
    for (int c : chosen) {
      int i = first + c;
      int u = w.user()[i];
      long ts = w.ts()[i];
      int historyEnd = t.watchesBefore(u, ts);
      seen.clear();
      for (int h = 0; h < historyEnd; h++) {
        seen.add(t.watchVideo[u][h]);
      }
      seen.add(w.video()[i]);
      int count = existing.countAt(ts);
      for (int j = 0; j < per; j++) {
        int video = w.video()[i];
        if (j > 0) {
          video = -1;
          for (int attempt = 0; attempt < 50 && video < 0 && count > 0; attempt++) {
            int v = existing.byUpload[rnd.nextInt(count)];
            video = seen.contains(v) ? -1 : v;
          }
        }
        ex.user()[k] = u;
        ex.video()[k] = video;
        ex.ts()[k] = ts;
        ex.historyEnd()[k] = historyEnd;
        ex.label()[k] = j == 0 ? 1f : 0f;
        ex.weight()[k] = j == 0 ? Math.max(1f, w.watchSeconds()[i]) : 1f;
        ex.raw()[2][k] = 0f; // no impression log: nobody was shown anything
        k++;
      }
    }
    return ex;
  }

  /** Dense video ids ordered by upload time: the videos existing at ts are a prefix. */
  private static final class ExistingVideos {
    final int[] byUpload;
    final long[] uploadTs;

    ExistingVideos(Dataset data) {
      int n = data.videos().size();
      Integer[] order = new Integer[n];
      for (int v = 0; v < n; v++) {
        order[v] = v;
      }
      Arrays.sort(order, (a, b) -> Long.compare(upload(data, a), upload(data, b)));
      byUpload = new int[n];
      uploadTs = new long[n];
      for (int i = 0; i < n; i++) {
        byUpload[i] = order[i];
        uploadTs[i] = upload(data, order[i]);
      }
    }

    private static long upload(Dataset data, int v) {
      return data.videos().get(v).uploadTs();
    }

    /** How many videos were uploaded at or before ts. */
    int countAt(long ts) {
      return firstAtOrAfter(uploadTs, ts == Long.MAX_VALUE ? ts : ts + 1);
    }
  }

  /** The examples whose video is set (drops negatives that found no eligible video). */
  private static Examples withoutMissing(Examples ex) {
    int n = 0;
    for (int v : ex.video()) {
      n += v >= 0 ? 1 : 0;
    }
    if (n == ex.size()) {
      return ex;
    }
    Examples out = allocate(n, ex.source());
    int k = 0;
    for (int e = 0; e < ex.size(); e++) {
      if (ex.video()[e] < 0) {
        continue;
      }
      out.user()[k] = ex.user()[e];
      out.video()[k] = ex.video()[e];
      out.ts()[k] = ex.ts()[e];
      out.historyEnd()[k] = ex.historyEnd()[e];
      out.label()[k] = ex.label()[e];
      out.weight()[k] = ex.weight()[e];
      for (int f = 0; f < FeatureEncoder.RANKER_RAW; f++) {
        out.raw()[f][k] = ex.raw()[f][e];
      }
      k++;
    }
    return out;
  }

  /** First index of a sorted array whose value is ≥ ts. */
  private static int firstAtOrAfter(long[] sorted, long ts) {
    int lo = 0, hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] < ts) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private static int between(long[] sorted, long from, long to) {
    return firstAtOrAfter(sorted, to) - firstAtOrAfter(sorted, from);
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
   * Without an impression log, simulates one: the slate is the candidate model's top {@link
   * #HARD_NEGATIVE_POOL} for that user at that time among the videos that existed then and that the
   * user had not watched. A watch whose video is on the slate keeps it as the click and draws its
   * negatives from the slate; a watch that retrieval would not have shown is dropped (its group is
   * marked −1 for {@link #withoutMissing}). The ranker then learns to order what retrieval actually
   * hands it. Keeping the unretrieved watches against slate negatives would teach it the opposite
   * of the truth about the retrieval score: every negative would outscore most positives (measured
   * on MovieLens: click AUC 0.27 on those examples).
   *
   * @return the watches dropped
   */
  private static int hardNegatives(
      NDManager manager,
      EncodedUsers users,
      FeatureEncoder encoder,
      CandidateTrainer.Result candidate,
      Examples ex,
      long seed) {
    Timeline t = users.timeline;
    VideoCatalog catalog = encoder.catalog();
    int per = 1 + NEGATIVES_PER_WATCH;
    int groups = ex.size() / per;
    ParameterStore ps = new ParameterStore(manager, false);
    SplittableRandom rnd = new SplittableRandom(seed);
    int batch = 256;
    UserInputs inputs = new UserInputs(batch);
    // Fetch more than the pool: the top of a model fitted earlier holds some videos the user has
    // watched since, and future videos (random vectors) can score high.
    int fetch = (int) Math.min(catalog.size(), 2L * HARD_NEGATIVE_POOL + FeatureEncoder.HISTORY);
    Set<Integer> seen = new HashSet<>();
    int[] pool = new int[fetch];
    int dropped = 0;
    for (int from = 0; from < groups; from += batch) {
      int rows = Math.min(batch, groups - from);
      for (int r = 0; r < rows; r++) {
        int e = (from + r) * per;
        users.encode(encoder, ex.user()[e], ex.historyEnd()[e], ex.ts()[e], 0f, inputs, r);
      }
      long[] top;
      try (NDManager step = manager.newSubManager()) {
        NDArray u =
            candidate.tower().forward(ps, inputs.toNDList(step, rows), false).singletonOrThrow();
        NDArray w = ps.getValue(candidate.softmax().weight(), u.getDevice(), false);
        NDArray b = ps.getValue(candidate.softmax().bias(), u.getDevice(), false);
        NDArray logits = u.matMul(w.transpose()).add(b.reshape(1, -1));
        top = logits.argSort(1, false).get(":, :" + fetch).toLongArray();
      }
      for (int r = 0; r < rows; r++) {
        int e = (from + r) * per;
        int u = ex.user()[e];
        long ts = ex.ts()[e];
        seen.clear();
        for (int k = 0; k < ex.historyEnd()[e]; k++) {
          seen.add(t.watchVideo[u][k]);
        }
        seen.add(ex.video()[e]);
        int size = 0;
        boolean retrieved = false;
        for (int k = 0; k < fetch && size < HARD_NEGATIVE_POOL; k++) {
          int v = (int) top[r * fetch + k];
          if (v == ex.video()[e]) {
            retrieved = true; // within the slate: ranked above the pool's last video
          } else if (catalog.uploadTs(v) <= ts && !seen.contains(v)) {
            pool[size++] = v;
          }
        }
        if (!retrieved || size == 0) {
          // Not on the slate the model would have shown: no impression to learn from.
          for (int j = 0; j < per; j++) {
            ex.video()[e + j] = -1;
          }
          dropped++;
          continue;
        }
        for (int j = 1; j < per; j++) {
          ex.video()[e + j] = pool[rnd.nextInt(size)];
        }
      }
    }
    return dropped;
  }

  /**
   * Raw features of one example through the serving encoder's code: user u just before ts (history
   * ends at watch {@code historyEnd}, exclusive), candidate {@code video}.
   */
  static void rawFeatures(
      Timeline t,
      FeatureEncoder encoder,
      int u,
      int historyEnd,
      long ts,
      int video,
      float previousImpressions,
      float retrievalScore,
      float[] out) {
    encoder.rankerRawFeatures(
        t.watchVideo[u],
        t.watchTs[u],
        0,
        historyEnd,
        previousImpressions,
        video,
        retrievalScore,
        ts,
        out);
  }

  /** Raw features 0, 1, 3, 4 (2 is set by the example source): times, age, retrieval score. */
  private static void fillRawFeatures(
      NDManager manager,
      EncodedUsers users,
      FeatureEncoder encoder,
      CandidateTrainer.Result candidate,
      Examples ex) {
    float[][] raw = ex.raw();
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
    float[] one = new float[FeatureEncoder.RANKER_RAW];
    for (int e = 0; e < ex.size(); e++) {
      rawFeatures(
          users.timeline,
          encoder,
          ex.user()[e],
          ex.historyEnd()[e],
          ex.ts()[e],
          ex.video()[e],
          raw[2][e],
          raw[4][e],
          one);
      for (int f = 0; f < FeatureEncoder.RANKER_RAW; f++) {
        raw[f][e] = one[f];
      }
    }
  }

  /**
   * Click AUC of the retrieval score on the ranker's own examples (positives: clicked impressions
   * or watches), the figure to put beside the evaluator's on the test period.
   */
  private static double retrievalScoreAuc(Examples ex) {
    List<float[]> rows = new ArrayList<>(ex.size());
    for (int e = 0; e < ex.size(); e++) {
      float s = ex.raw()[4][e];
      rows.add(new float[] {s, s, ex.label()[e], ex.weight()[e], 0});
    }
    return PageMetrics.auc(rows, 1);
  }
}
