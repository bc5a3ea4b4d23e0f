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
import dev.funnel.models.SortedArrays;
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
 * trains on the examples of most users; {@link Calibrator} maps its logit to watch seconds with a
 * table fitted on its own logits for the examples of the users held out ({@link
 * #CALIBRATION_USER_SHARE}).
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
   * Share of the window's users held out of the served ranker's fit: the calibration table is
   * fitted on the served ranker's own logits for their examples (out of sample, same model).
   */
  static final double CALIBRATION_USER_SHARE = 0.25;

  /** Passes over each example, per epoch: the served ranker sees the users not held out. */
  static double passesPerEpoch() {
    return 1 - CALIBRATION_USER_SHARE;
  }

  /** Fewer examples (or no click among them): no table, serving uses exp(logit). */
  static final int MIN_CALIBRATION_EXAMPLES = 500;

  /**
   * Equal-count logit bins of the calibration table: few, so each averages ≈ 800 heavy-tailed watch
   * times on RW-small (coefficient of variation ≈ 3.4: ±12% per bin, not ±34% at 100 bins).
   */
  static final int CALIBRATION_BINS = 25;

  /**
   * @param heldOutUsers the window's users held out of the ranker's fit (ascending; empty when none
   *     were): {@link OrderChoice} validates the serving order on them
   */
  record Result(
      RankerBlock ranker,
      Quantiles quantiles,
      WatchTimeCalibration calibration,
      JsonObject stats,
      int[] heldOutUsers) {}

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
    boolean[] heldOut = heldOutUsers(ex, CALIBRATION_USER_SHARE, options.seed() + 6);
    int[] fitRows = rows(heldOut, false);
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
            heldOut == null ? all(n) : fitRows,
            options,
            variant,
            "ranker",
            options.seed() + 2,
            run,
            trainingPhase,
            done,
            epochs);
    double total = (System.nanoTime() - started) / 1e9;
    long fitted = heldOut == null ? n : fitRows.length;
    JsonObject stats =
        new JsonObject()
            .put("source", ex.source())
            .put("negatives", negatives)
            .put("window", CandidateTrainer.window(windowFrom, windowTo))
            .put("retrieval_score_auc", CandidateTrainer.round(trainAuc))
            .put("examples_before_upload", beforeUpload)
            .put("examples", n)
            .put("examples_fitted", fitted)
            .put("epochs", epochs)
            .put("seconds", CandidateTrainer.round(total))
            .put("examples_per_s", Math.round((double) fitted * options.rankerEpochs() / total));
    WatchTimeCalibration calibration = WatchTimeCalibration.ODDS;
    if (heldOut != null) {
      calibration =
          calibrate(manager, ranker, encoder, users, ex, rows(heldOut, true), options, stats);
    }
    if (run != null && trainingPhase != null) {
      run.finish(trainingPhase);
    }
    return new Result(ranker, quantiles, calibration, stats, distinctUsers(ex.user(), heldOut));
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
   * Whether each example's user is held out of the served ranker's fit, or null when the held-out
   * examples would be too few (or without a click) to fit a table, or nothing would be left to fit
   * the ranker on. Stratified by activity: users sorted by their example count (ties in hash
   * order), and every 1/share-th of them held out, so the held-out examples are close to {@code
   * share} of all and heavy and light users are held out alike.
   */
  static boolean[] heldOutUsers(Examples ex, double share, long seed) {
    return heldOutUsers(ex.user(), ex.label(), share, seed);
  }

  static boolean[] heldOutUsers(int[] user, float[] label, double share, long seed) {
    int n = user.length;
    java.util.Map<Integer, Integer> count = new java.util.HashMap<>();
    for (int u : user) {
      count.merge(u, 1, Integer::sum);
    }
    Integer[] ids = count.keySet().toArray(new Integer[0]);
    Arrays.sort(
        ids,
        (a, b) -> {
          int c = Integer.compare(count.get(a), count.get(b));
          return c != 0 ? c : Long.compare(mix(a, seed), mix(b, seed));
        });
    // A seeded offset, so which user of each group is held out changes with the seed.
    double offset = Math.floorMod(mix(-1, seed), 1_000_000L) / 1e6;
    Set<Integer> held = new HashSet<>();
    for (int i = 0; i < ids.length; i++) {
      if (Math.floor((i + 1) * share + offset) > Math.floor(i * share + offset)) {
        held.add(ids[i]);
      }
    }
    boolean[] out = new boolean[n];
    int heldRows = 0;
    int heldClicks = 0;
    for (int e = 0; e < n; e++) {
      out[e] = held.contains(user[e]);
      heldRows += out[e] ? 1 : 0;
      heldClicks += out[e] && label[e] > 0 ? 1 : 0;
    }
    boolean enough = heldRows >= MIN_CALIBRATION_EXAMPLES && heldClicks > 0 && heldRows < n;
    return enough ? out : null;
  }

  /** The distinct users of the examples flagged in {@code heldOut}, ascending (none when null). */
  private static int[] distinctUsers(int[] user, boolean[] heldOut) {
    if (heldOut == null) {
      return new int[0];
    }
    java.util.TreeSet<Integer> users = new java.util.TreeSet<>();
    for (int e = 0; e < user.length; e++) {
      if (heldOut[e]) {
        users.add(user[e]);
      }
    }
    return users.stream().mapToInt(Integer::intValue).toArray();
  }

  /** A user's hash, mixed so that the order does not follow ids. */
  static long mix(int user, long seed) {
    long z = (user + seed) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The examples whose held-out flag is {@code held}. */
  private static int[] rows(boolean[] heldOut, boolean held) {
    if (heldOut == null) {
      return new int[0];
    }
    int k = 0;
    for (boolean h : heldOut) {
      k += h == held ? 1 : 0;
    }
    int[] out = new int[k];
    k = 0;
    for (int e = 0; e < heldOut.length; e++) {
      if (heldOut[e] == held) {
        out[k++] = e;
      }
    }
    return out;
  }

  /**
   * Fits the logit → watch seconds table on the served ranker's own logits for the held-out users'
   * examples: the same model serving uses, scored out of sample. (Before, the table came from other
   * rankers' out-of-fold logits moved to the served ranker's quantiles; in-sample logits are more
   * spread than out-of-sample ones, so that over-predicted the middle deciles by up to 39%.)
   * Records in {@code stats} how far the raw odds were off, and a check: a table fitted on half of
   * the held-out users, per decile of its prediction on the other half, predicted / actual.
   */
  private static WatchTimeCalibration calibrate(
      NDManager manager,
      RankerBlock served,
      FeatureEncoder encoder,
      EncodedUsers users,
      Examples ex,
      int[] held,
      TrainOptions options,
      JsonObject stats) {
    int n = held.length;
    float[] logits = logits(manager, served, encoder, users, ex, held, options.rankerBatchSize());
    float[] seconds = new float[n];
    // Serving caps each value at the video's duration: the table is fitted for that.
    float[] caps = new float[n];
    int[] user = new int[n];
    for (int k = 0; k < n; k++) {
      int e = held[k];
      // A click's weight is its watch seconds (at least 1 s); no click watched nothing.
      seconds[k] = ex.label()[e] * ex.weight()[e];
      caps[k] = encoder.catalog().durationSeconds(ex.video()[e]);
      user[k] = ex.user()[e];
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
    stats.put(
        "calibration",
        new JsonObject()
            .put(
                "method",
                "isotonic regression over "
                    + CALIBRATION_BINS
                    + " equal-count logit bins, on the served ranker's logits for the examples"
                    + " of users held out of its fit")
            .put("held_out_user_share", CALIBRATION_USER_SHARE)
            .put("held_out_by", "user, stratified by example count")
            .put("examples", n)
            .put("knots", table.toJson().getJsonArray("logit").size())
            .put("mean_watch_s", CandidateTrainer.round(actual / n))
            .put("mean_exp_logit_s", CandidateTrainer.round(odds / n))
            .put("mean_calibrated_capped_s", CandidateTrainer.round(calibrated / n))
            .put("split_check_ratios", splitCheck(logits, seconds, caps, user, options.seed())));
    log.info(
        "ranker calibration on {} held-out examples: mean watch {} s, exp(logit) {} s,"
            + " calibrated {} s",
        n,
        String.format("%.1f", actual / n),
        String.format("%.1f", odds / n),
        String.format("%.1f", calibrated / n));
    return table;
  }

  /**
   * Predicted / actual watch seconds per decile of prediction on half of the held-out users, from a
   * table fitted on the other half: how far a table of this size is off by chance (a check on the
   * calibration slice, before anything looks at the test period).
   */
  static JsonArray splitCheck(
      float[] logits, float[] seconds, float[] caps, int[] user, long seed) {
    int n = logits.length;
    boolean[] b = new boolean[n];
    int nb = 0;
    for (int i = 0; i < n; i++) {
      b[i] = (mix(user[i], seed + 7) & 1) == 1;
      nb += b[i] ? 1 : 0;
    }
    JsonArray out = new JsonArray();
    if (nb == 0 || nb == n) {
      return out;
    }
    float[][] fitSide = side(logits, seconds, caps, b, false);
    WatchTimeCalibration half =
        Calibrator.fit(fitSide[0], fitSide[1], fitSide[2], CALIBRATION_BINS / 2);
    float[][] check = side(logits, seconds, caps, b, true);
    List<float[]> rows = new ArrayList<>(nb);
    for (int i = 0; i < nb; i++) {
      float v = half.seconds(check[0][i]);
      float c = check[2][i];
      float predicted = c > 0 ? Math.min(v, c) : v;
      rows.add(new float[] {predicted, 0, check[1][i] > 0 ? 1 : 0, check[1][i]});
    }
    for (Object bin : Evaluator.reliability(rows, 0)) {
      out.add(((JsonObject) bin).getValue("ratio"));
    }
    return out;
  }

  private static float[][] side(
      float[] logits, float[] seconds, float[] caps, boolean[] b, boolean which) {
    int k = 0;
    for (boolean x : b) {
      k += x == which ? 1 : 0;
    }
    float[][] out = new float[3][k];
    k = 0;
    for (int i = 0; i < b.length; i++) {
      if (b[i] == which) {
        out[0][k] = logits[i];
        out[1][k] = seconds[i];
        out[2][k] = caps[i];
        k++;
      }
    }
    return out;
  }

  private static int[] all(int n) {
    int[] rows = new int[n];
    for (int i = 0; i < n; i++) {
      rows[i] = i;
    }
    return rows;
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
    int first = SortedArrays.firstAtOrAfter(im.ts(), from);
    int eligible = SortedArrays.firstAtOrAfter(im.ts(), to) - first;
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
    int first = SortedArrays.firstAtOrAfter(w.ts(), from);
    int eligible = SortedArrays.firstAtOrAfter(w.ts(), to) - first;
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
      return SortedArrays.firstAtOrAfter(uploadTs, ts == Long.MAX_VALUE ? ts : ts + 1);
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

  private static int between(long[] sorted, long from, long to) {
    return SortedArrays.firstAtOrAfter(sorted, to) - SortedArrays.firstAtOrAfter(sorted, from);
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
