package dev.funnel.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.funnel.data.Dataset;
import dev.funnel.data.User;
import dev.funnel.data.Video;
import dev.funnel.models.FeatureEncoder;
import dev.funnel.models.ModelBundle;
import dev.funnel.models.ModelBundleWriter;
import dev.funnel.models.ModelShapes;
import dev.funnel.models.VideoCatalog;
import dev.funnel.models.Vocabularies;
import dev.funnel.models.Vocabulary;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains both models on a dataset and writes a new model version.
 *
 * <p>The protocol (times are quantiles of watch times; c = {@link TrainOptions#cutoffQuantile()},
 * c1 = {@link TrainOptions#rankerQuantile()} &lt; c):
 *
 * <ol>
 *   <li>vocabularies from the events before c;
 *   <li><b>candidate A</b> is fitted on the watches of [start, c1), its epochs chosen by early
 *       stopping on the next-watch recall of [c1, c) ({@link NextWatchValidation});
 *   <li>the <b>ranker</b> trains on the events of [c1, c) only, with A's retrieval score as a
 *       feature (and, without an impression log, negatives from A's top 300): A never saw those
 *       events, just as the served model never saw the requests it scores, so the feature is
 *       learned as strong as it is out of sample;
 *   <li><b>candidate B</b> = A continued (warm start, half the epochs A kept, rounded up) on [c1,
 *       c): the model trained on everything before c;
 *   <li>B with the ranker is staged, loaded as the server would, and <b>evaluated</b> on the
 *       held-out tail [c, end] ({@link Evaluator}): {@code model.json → metrics};
 *   <li><b>candidate C</b> = B continued (as many epochs) on [c, end], so the published model has
 *       learned the newest videos and watches too; C with the ranker is staged, loaded (the
 *       server's validation) and <b>published</b> (LATEST moves).
 * </ol>
 *
 * {@code model.json} records both models: the evaluated one's metrics ({@code metrics}, with the
 * retrieval score's click AUC on the ranker's training set beside the test period's) and the
 * published one's training windows ({@code training.protocol}). When [start, c1) or the ranker's
 * window is empty (tiny data, or c1 ≥ c), the ranker falls back to in-sample scores of a model
 * fitted on [start, c) and the manifest says so ({@code training.protocol.retrieval_score}).
 * Progress: one ETA for the whole run ({@link RunProgress}).
 */
public final class ModelTrainer {
  private static final Logger log = LoggerFactory.getLogger(ModelTrainer.class);
  private static final DateTimeFormatter VERSION_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  /**
   * Epochs of a warm-started continuation over a later window (B and C): half the fit's. RW-small
   * recall@50 of B with 6-epoch A: 1 epoch 0.174, 3 epochs 0.217, 6 epochs 0.193 (docs/models.md).
   */
  static int continueEpochs(TrainOptions options) {
    return continueEpochs(options.epochs());
  }

  /** As above, for a first fit that kept {@code fitEpochs} epochs (early stopping may stop it). */
  static int continueEpochs(int fitEpochs) {
    // Rounded up: with A early-stopped at 3 epochs, 1 continuation epoch gave B recall@50 0.207,
    // against 0.233 for 2 continuation epochs after 5 (RW-small, docs/models.md).
    return Math.max(1, (fitEpochs + 1) / 2);
  }

  private ModelTrainer() {}

  /**
   * Trains, evaluates and publishes a version under {@code modelsRoot}.
   *
   * @return the new version directory ({@code modelsRoot/<dataset>-<yyyyMMdd-HHmmss>})
   * @throws IllegalArgumentException when the dataset cannot be trained on (e.g. no watches)
   */
  public static Path train(Dataset data, Path modelsRoot, TrainOptions options) throws IOException {
    return train(data, modelsRoot, options, ModelVariant.standard(), 0L);
  }

  /**
   * As {@link #train(Dataset, Path, TrainOptions)}, with the ablation switches of {@code variant}
   * and, when {@code cutoffOverride} &gt; 0, that time as the train/test cutoff instead of the
   * quantile (the quality report trains on a per-user leave-last-out split whose training side is
   * the whole dataset it passes, so it sets the cutoff past the last event).
   */
  public static Path train(
      Dataset data,
      Path modelsRoot,
      TrainOptions options,
      ModelVariant variant,
      long cutoffOverride)
      throws IOException {
    if (data.watches().size() < 2 || data.videos().isEmpty()) {
      throw new IllegalArgumentException("the dataset has too few watches to train on");
    }
    long started = System.nanoTime();
    long cutoff = cutoffOverride > 0 ? cutoffOverride : cutoffTs(data, options.cutoffQuantile());
    long[] watchTs = data.watches().ts();
    long firstTs = watchTs[0];
    long endTs = Math.max(data.meta().endTs(), watchTs[watchTs.length - 1]) + 1; // exclusive
    int trainWatches = countBefore(watchTs, cutoff);
    log.info(
        "time split at {} ({}): {} training watches, {} test watches",
        cutoff,
        Instant.ofEpochSecond(cutoff),
        trainWatches,
        data.watches().size() - trainWatches);

    Vocabularies vocabularies = vocabularies(data, cutoff, options.maxTokens());
    VideoCatalog catalog = VideoCatalog.of(data.videos());
    ModelShapes shapes =
        variant.apply(
            ModelShapes.standard(
                catalog.size(),
                vocabularies.tokens().size(),
                vocabularies.geos().size(),
                vocabularies.languages().size(),
                vocabularies.genders().size()));
    // Example age runs from a window's end back to the data's start: one scale for all fits.
    float exampleAgeScale = Math.max(1f, Math.max(cutoff, endTs) - firstTs);
    FeatureEncoder userEncoder = new FeatureEncoder(vocabularies, catalog, null, exampleAgeScale);
    Timeline timeline = new Timeline(data);
    options = ExampleBudget.fit(timeline, cutoff, options);
    EncodedUsers users = new EncodedUsers(timeline, vocabularies, variant.historyLength());

    // c1: the out-of-sample split; fall back to in-sample scores when a side would be empty.
    long rankerFrom = cutoffTs(data, options.rankerQuantile());
    boolean outOfSample =
        rankerFrom < cutoff
            && CandidateTrainer.countExamples(timeline, Long.MIN_VALUE, rankerFrom, options) > 0
            && RankerTrainer.countExamples(timeline, rankerFrom, cutoff, options) > 0;
    long fitTo = outOfSample ? rankerFrom : cutoff;
    long rankerWindowFrom = outOfSample ? rankerFrom : Long.MIN_VALUE;
    if (!outOfSample) {
      log.warn(
          "ranker quantile {} leaves no examples on one side of {}: the ranker trains on in-sample"
              + " retrieval scores",
          options.rankerQuantile(),
          rankerFrom);
    }
    long tailExamples = CandidateTrainer.countExamples(timeline, cutoff, endTs, options);

    RunProgress run = new RunProgress();
    long aExamples = CandidateTrainer.countExamples(timeline, Long.MIN_VALUE, fitTo, options);
    long rankerExamples = RankerTrainer.countExamples(timeline, rankerWindowFrom, cutoff, options);
    RunProgress.Phase phaseA =
        run.plan("candidate A", RunProgress.Kind.CANDIDATE, aExamples * options.epochs());
    RunProgress.Phase phaseScoring =
        run.plan("ranker features", RunProgress.Kind.SCORING, rankerExamples);
    RunProgress.Phase phaseRanker =
        run.plan(
            "ranker",
            RunProgress.Kind.RANKER,
            Math.round(
                rankerExamples * (double) options.rankerEpochs() * RankerTrainer.passesPerEpoch()));
    RunProgress.Phase phaseB =
        outOfSample
            ? run.plan(
                "candidate B",
                RunProgress.Kind.CANDIDATE,
                continueEpochs(options)
                    * (long) CandidateTrainer.countExamples(timeline, fitTo, cutoff, options))
            : null;
    RunProgress.Phase phaseEval =
        run.plan(
            "evaluation",
            RunProgress.Kind.EVALUATION,
            (long) Math.min(Evaluator.MAX_USERS, data.users().size()) * catalog.size());
    RunProgress.Phase phaseC =
        tailExamples > 0
            ? run.plan(
                "candidate C", RunProgress.Kind.CANDIDATE, continueEpochs(options) * tailExamples)
            : null;

    Engine.getInstance().setRandomSeed((int) options.seed());
    try (NDManager manager = NDManager.newBaseManager()) {
      CandidateTrainer.Result fitted =
          CandidateTrainer.train(
              manager,
              users,
              userEncoder,
              shapes,
              new CandidateTrainer.Fit(
                  "candidate A",
                  Long.MIN_VALUE,
                  fitTo,
                  options.epochs(),
                  null,
                  // One epoch (RW-1M's budget) leaves nothing to choose.
                  outOfSample && options.epochs() > 1
                      ? NextWatchValidation.of(users, userEncoder, catalog.size(), fitTo, cutoff)
                      : null),
              options,
              variant,
              run,
              phaseA);
      JsonObject candidateStats = fitted.stats().copy();
      // Early stopping may have kept fewer epochs: the continuations follow what A kept.
      int continuedEpochs = continueEpochs(fitted.keptEpochs());
      if (phaseB != null) {
        run.resize(
            phaseB,
            continuedEpochs
                * (long) CandidateTrainer.countExamples(timeline, fitTo, cutoff, options));
      }
      if (phaseC != null) {
        run.resize(phaseC, continuedEpochs * tailExamples);
      }
      JsonArray continued = new JsonArray();
      RankerTrainer.Result ranker =
          RankerTrainer.train(
              manager,
              users,
              userEncoder,
              fitted,
              shapes,
              rankerWindowFrom,
              cutoff,
              options,
              variant,
              run,
              phaseScoring,
              phaseRanker);
      // Before B: B continues A's tables, and the choice needs A as it was (out of sample).
      OrderChoice.Decision order =
          chooseOrder(
              manager,
              users,
              userEncoder,
              fitted,
              ranker,
              outOfSample,
              rankerWindowFrom,
              cutoff,
              options);
      CandidateTrainer.Result evaluated = fitted;
      if (outOfSample) {
        evaluated =
            CandidateTrainer.train(
                manager,
                users,
                userEncoder,
                shapes,
                new CandidateTrainer.Fit("candidate B", fitTo, cutoff, continuedEpochs, fitted),
                options,
                variant,
                run,
                phaseB);
        continued.add(evaluated.stats());
      }

      long dataEnd = data.meta().endTs();
      int[] popular =
          Popularity.ranking(Popularity.counts(data, dataEnd + 1, options.popularWindowDays()));
      JsonObject split =
          new JsonObject()
              .put("cutoff_ts", cutoff)
              .put("cutoff_quantile", options.cutoffQuantile())
              .put("train_watches", trainWatches)
              .put("test_watches", data.watches().size() - trainWatches);
      if (outOfSample) {
        split.put("ranker_from_ts", rankerFrom).put("ranker_quantile", options.rankerQuantile());
      }
      JsonArray evaluatedWindows = new JsonArray().add(window(Long.MIN_VALUE, fitTo));
      if (outOfSample) {
        evaluatedWindows.add(window(fitTo, cutoff));
      }
      JsonArray publishedWindows = evaluatedWindows.copy();
      if (phaseC != null) {
        publishedWindows.add(window(cutoff, endTs));
      }
      JsonObject protocol =
          new JsonObject()
              .put("retrieval_score", outOfSample ? "out_of_sample" : "in_sample")
              .put("ranker_window", window(rankerWindowFrom, cutoff))
              .put(
                  "evaluated_model",
                  new JsonObject()
                      .put("candidate_windows", evaluatedWindows)
                      .put("trained_to_ts", cutoff))
              .put(
                  "published_model",
                  new JsonObject()
                      .put("candidate_windows", publishedWindows)
                      .put("trained_to_ts", phaseC != null ? endTs : cutoff)
                      .put("ranker_trained_to_ts", cutoff));
      JsonObject manifest =
          new JsonObject()
              .put("created_at", Instant.now().toString())
              .put("data", data.meta().toJson())
              .put("split", split)
              .put(
                  "training",
                  new JsonObject()
                      .put("options", options.toJson())
                      .put("variant", variant.toJson())
                      .put("protocol", protocol)
                      .put("candidate", candidateStats.put("continued", continued))
                      .put("ranker", ranker.stats())
                      .put("order_choice", order.json()))
              .put("serving", order.order().toJson())
              .put(
                  "popular",
                  new JsonObject()
                      .put("as_of_ts", dataEnd)
                      .put("window_days", options.popularWindowDays())
                      .put("count", popular.length))
              .put("ranker_default_batch", ModelBundle.DEFAULT_RANKER_BATCH);

      String version =
          ModelBundleWriter.freshVersion(
              modelsRoot, safeName(data.meta().name()) + "-" + VERSION_TIME.format(Instant.now()));
      ModelBundleWriter.Contents contents =
          contents(
              manifest, shapes, vocabularies, catalog, ranker, exampleAgeScale, evaluated, popular);
      Path staged = ModelBundleWriter.stage(modelsRoot, version, contents);
      JsonObject metrics;
      run.start(phaseEval);
      try (ModelBundle bundle = ModelBundle.load(staged)) {
        long evalStart = System.nanoTime();
        metrics = Evaluator.evaluate(data, bundle);
        metrics.put("seconds", CandidateTrainer.round((System.nanoTime() - evalStart) / 1e9));
      }
      run.finish(phaseEval);
      double trainAuc = ranker.stats().getDouble("retrieval_score_auc");
      JsonObject testRanker = metrics.getJsonObject("ranker", new JsonObject());
      JsonObject side =
          new JsonObject()
              .put("ranker_training", trainAuc)
              .put("retrieval_score", outOfSample ? "out_of_sample" : "in_sample");
      if (testRanker.containsKey("retrieval_score_auc")) {
        side.put("test", testRanker.getDouble("retrieval_score_auc"));
      }
      metrics
          .put("retrieval_score_click_auc", side)
          .put(
              "evaluated_model",
              "candidate trained on watches before cutoff_ts; the published model continued on"
                  + " the rest (training.protocol)");
      log.info("evaluation: {}", metrics.encode());
      log.info(
          "retrieval-score click AUC: ranker training set {} ({}), test period {}",
          trainAuc,
          outOfSample ? "out of sample" : "in sample",
          side.containsKey("test") ? side.getDouble("test") : "n/a (no impressions)");

      CandidateTrainer.Result published = evaluated;
      if (phaseC != null) {
        published =
            CandidateTrainer.train(
                manager,
                users,
                userEncoder,
                shapes,
                new CandidateTrainer.Fit("candidate C", cutoff, endTs, continuedEpochs, evaluated),
                options,
                variant,
                run,
                phaseC);
        continued.add(published.stats());
        staged =
            ModelBundleWriter.stage(
                modelsRoot,
                version,
                contents(
                    manifest,
                    shapes,
                    vocabularies,
                    catalog,
                    ranker,
                    exampleAgeScale,
                    published,
                    popular));
      }
      double trainSeconds = (System.nanoTime() - started) / 1e9;
      JsonObject written;
      try (ModelBundle bundle = ModelBundle.load(staged)) {
        written = bundle.manifest();
      }
      written
          .getJsonObject("training")
          .put("seconds", CandidateTrainer.round(trainSeconds))
          .getJsonObject("candidate")
          .put("continued", continued);
      ModelBundleWriter.writeManifest(staged, written.put("metrics", metrics));
      Path done = ModelBundleWriter.publish(modelsRoot, staged, version);
      log.info("wrote model version {} in {} s", done, String.format("%.1f", trainSeconds));
      return done;
    }
  }

  /**
   * The home feed's serving order ({@link OrderChoice}), measured on the ranker window's held-out
   * users; the ranker's order when there is nothing out of sample to measure on.
   */
  private static OrderChoice.Decision chooseOrder(
      NDManager manager,
      EncodedUsers users,
      FeatureEncoder userEncoder,
      CandidateTrainer.Result fitted,
      RankerTrainer.Result ranker,
      boolean outOfSample,
      long windowFrom,
      long windowTo,
      TrainOptions options) {
    OrderReplay.Hits hits = null;
    String why;
    long started = System.nanoTime();
    if (!outOfSample) {
      why = "no out-of-sample ranker window: retrieval would be scored on its own training watches";
    } else if (ranker.heldOutUsers().length == 0) {
      why = "no users held out of the ranker's fit";
    } else {
      hits =
          OrderReplay.measure(
              manager,
              users,
              userEncoder,
              fitted,
              ranker,
              ranker.heldOutUsers(),
              windowFrom,
              windowTo,
              options.seed() + 8);
      why = "no held-out user watched a new video in the ranker window";
    }
    OrderChoice.Decision d = OrderChoice.decide(hits, options.order(), options.seed() + 9, why);
    d.json().put("seconds", CandidateTrainer.round((System.nanoTime() - started) / 1e9));
    JsonObject v = d.json().getJsonObject("validation");
    log.info(
        "serving order: {} ({}){}",
        d.order().label(),
        d.json().getString("reason"),
        v == null
            ? ""
            : String.format(
                    "; HitRate@%d on %d held-out users (%d requests): retrieval %s, ranker %s,"
                        + " difference %s",
                    OrderReplay.AT,
                    v.getInteger("users"),
                    v.getInteger("requests"),
                    OrderChoice.describe(v.getJsonObject("retrieval")),
                    OrderChoice.describe(v.getJsonObject("ranker")),
                    OrderChoice.describe(v.getJsonObject("ranker_minus_retrieval")))
                + secondsShare(v));
    return d;
  }

  /** "; watch seconds in the top 50: ..." when the choice measured them. */
  private static String secondsShare(JsonObject v) {
    JsonObject w = v == null ? null : v.getJsonObject("watch_seconds_share");
    if (w == null) {
      return "";
    }
    return String.format(
        "; share of the requests' watch seconds in the top %d: retrieval %s, ranker %s,"
            + " difference %s",
        OrderReplay.AT,
        OrderChoice.describe(w.getJsonObject("retrieval")),
        OrderChoice.describe(w.getJsonObject("ranker")),
        OrderChoice.describe(w.getJsonObject("ranker_minus_retrieval")));
  }

  private static ModelBundleWriter.Contents contents(
      JsonObject manifest,
      ModelShapes shapes,
      Vocabularies vocabularies,
      VideoCatalog catalog,
      RankerTrainer.Result ranker,
      float exampleAgeScale,
      CandidateTrainer.Result candidate,
      int[] popular) {
    return new ModelBundleWriter.Contents(
        manifest,
        shapes,
        vocabularies,
        catalog,
        ranker.quantiles(),
        exampleAgeScale,
        candidate.tower(),
        ranker.ranker(),
        candidate.softmax().weight().getArray().toFloatArray(),
        candidate.softmax().bias().getArray().toFloatArray(),
        popular,
        ranker.calibration());
  }

  private static JsonObject window(long from, long to) {
    return CandidateTrainer.window(from, to);
  }

  /**
   * Whether a manifest's published model trained on events at or after its split's cutoff (the
   * protocol continues it on the tail after evaluating): evaluating it again on that tail is then
   * in-sample.
   */
  public static boolean trainedPastCutoff(JsonObject manifest) {
    long cutoff = manifest.getJsonObject("split", new JsonObject()).getLong("cutoff_ts", 0L);
    JsonObject published =
        manifest
            .getJsonObject("training", new JsonObject())
            .getJsonObject("protocol", new JsonObject())
            .getJsonObject("published_model", new JsonObject());
    return published.getLong("trained_to_ts", 0L) > cutoff;
  }

  /** The time before which events train: the given quantile of watch times. */
  public static long cutoffTs(Dataset data, double quantile) {
    long[] ts = data.watches().ts(); // time-ordered
    if (ts.length == 0) {
      throw new IllegalArgumentException("the dataset has no watches");
    }
    long cutoff = ts[(int) Math.floor(quantile * (ts.length - 1))];
    if (cutoff <= ts[0]) {
      // All early watches share one time: move past them so training is not empty.
      int i = 0;
      while (i < ts.length && ts[i] == ts[0]) {
        i++;
      }
      cutoff = i < ts.length ? ts[i] : ts[0] + 1;
    }
    return cutoff;
  }

  private static int countBefore(long[] sorted, long ts) {
    int n = 0;
    while (n < sorted.length && sorted[n] < ts) {
      n++;
    }
    return n;
  }

  /**
   * Tokens: the most frequent search tokens before the cutoff. Geo, languages, genders: all values
   * in the user and video tables (demographics are not events, so they do not leak the future).
   */
  static Vocabularies vocabularies(Dataset data, long cutoff, int maxTokens) {
    Map<String, Integer> tokenCounts = new HashMap<>();
    Dataset.Searches s = data.searches();
    for (int i = 0; i < s.size() && s.ts()[i] < cutoff; i++) {
      for (String t : s.tokens()[i]) {
        tokenCounts.merge(t, 1, Integer::sum);
      }
    }
    Map<String, Integer> geos = new HashMap<>();
    Map<String, Integer> languages = new HashMap<>();
    Map<String, Integer> genders = new HashMap<>();
    for (String g : new String[] {"f", "m", "u"}) {
      genders.put(g, 0);
    }
    for (User u : data.users()) {
      geos.merge(u.geo(), 1, Integer::sum);
      languages.merge(u.language(), 1, Integer::sum);
      genders.merge(u.gender(), 1, Integer::sum);
    }
    for (Video v : data.videos()) {
      languages.merge(v.language(), 1, Integer::sum);
    }
    return new Vocabularies(
        new Vocabulary(byFrequency(tokenCounts, maxTokens)),
        new Vocabulary(byFrequency(geos, Integer.MAX_VALUE)),
        new Vocabulary(byFrequency(languages, Integer.MAX_VALUE)),
        new Vocabulary(byFrequency(genders, Integer.MAX_VALUE)));
  }

  private static List<String> byFrequency(Map<String, Integer> counts, int max) {
    List<String> keys = new ArrayList<>();
    for (String k : counts.keySet()) {
      if (!k.isEmpty() && !k.contains("\n")) {
        keys.add(k);
      }
    }
    keys.sort(
        (a, b) -> {
          int c = Integer.compare(counts.get(b), counts.get(a));
          return c != 0 ? c : a.compareTo(b);
        });
    return keys.size() > max ? keys.subList(0, max) : keys;
  }

  private static String safeName(String name) {
    String cleaned = name == null ? "" : name.replaceAll("[^A-Za-z0-9._-]", "-");
    return cleaned.isEmpty() || cleaned.startsWith(".") ? "data" + cleaned : cleaned;
  }
}
