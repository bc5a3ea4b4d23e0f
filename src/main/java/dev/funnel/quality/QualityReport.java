package dev.funnel.quality;

import dev.funnel.data.Dataset;
import dev.funnel.data.generate.GeneratorOptions;
import dev.funnel.data.generate.WorldGenerator;
import dev.funnel.data.movielens.MovieLensImporter;
import dev.funnel.models.FeatureEncoder;
import dev.funnel.train.ModelVariant;
import dev.funnel.train.TrainOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the evaluations of {@code ./funnel report}: the real-data table (MovieLens, leave-last-out)
 * and the ablations on a synthetic world. Each measurement is cached as one JSON file under the
 * work directory, so a rerun only computes what is missing (and rendering alone takes seconds).
 */
public final class QualityReport {
  private static final Logger log = LoggerFactory.getLogger(QualityReport.class);

  /** Sizes of one report run; {@link #full()} is what the committed doc was made with. */
  public record Plan(
      String name,
      int worldVideos,
      int worldUsers,
      int worldDays,
      TrainOptions synthetic,
      TrainOptions movielens,
      int holdout,
      int minTrain) {}

  public static Plan full() {
    TrainOptions synthetic = TrainOptions.defaults().withEpochs(3);
    synthetic = ranker(synthetic, 2);
    return new Plan("full", 5_000, 1_500, 30, synthetic, TrainOptions.defaults(), 5, 10);
  }

  public static Plan quick() {
    TrainOptions synthetic = ranker(TrainOptions.fast().withEpochs(2), 1);
    return new Plan("quick", 2_000, 500, 30, synthetic, TrainOptions.fast().withEpochs(3), 5, 10);
  }

  private static TrainOptions ranker(TrainOptions o, int rankerEpochs) {
    return new TrainOptions(
        o.epochs(),
        rankerEpochs,
        o.batchSize(),
        o.negatives(),
        o.learningRate(),
        o.rankerBatchSize(),
        o.rankerLearningRate(),
        o.cutoffQuantile(),
        o.maxRankerExamples(),
        o.maxTokens(),
        o.popularWindowDays(),
        o.seed());
  }

  static TrainOptions withNegatives(TrainOptions o, int negatives) {
    return new TrainOptions(
        o.epochs(),
        o.rankerEpochs(),
        o.batchSize(),
        negatives,
        o.learningRate(),
        o.rankerBatchSize(),
        o.rankerLearningRate(),
        o.cutoffQuantile(),
        o.maxRankerExamples(),
        o.maxTokens(),
        o.popularWindowDays(),
        o.seed());
  }

  private final Plan plan;
  private final Path work;
  private final String codeVersion;
  private final ResultCache cache;
  private int unchosenSeeds = SEEDS.length;

  public QualityReport(Plan plan, Path work) {
    this(plan, work, CodeVersion.current());
  }

  /**
   * @param codeVersion what cached results are keyed by besides their options ({@link
   *     CodeVersion#current()})
   */
  public QualityReport(Plan plan, Path work, String codeVersion) {
    this.plan = plan;
    this.work = work.resolve(plan.name());
    this.codeVersion = codeVersion;
    this.cache = new ResultCache(this.work, codeVersion);
  }

  /**
   * Test-side seeds of the funnel configurations validation did not choose, other than the defaults
   * (which always get every seed). Fewer cut the run's time without touching the results already
   * cached.
   */
  public QualityReport withUnchosenSeeds(int seeds) {
    if (seeds < 1) {
      throw new IllegalArgumentException("--unchosen-seeds must be at least 1");
    }
    this.unchosenSeeds = seeds;
    return this;
  }

  public String codeVersion() {
    return codeVersion;
  }

  public Path workDir() {
    return work;
  }

  /** Seeds of every trained method (the funnel, ALS); tables report their mean. */
  static final long[] SEEDS = {42L, 43L, 44L};

  /**
   * The validation slice: the test's own rule (last {@code holdout} watches held out, at least
   * {@code minTrain} kept) applied to the test's training side, so validation asks the same
   * question as the test, one request earlier per user. (One held-out watch per user gave a
   * standard error of about 0.018 on HitRate@50: choices by a coin toss.)
   */
  static LeaveLastOutSplit validation(LeaveLastOutSplit test, int holdout, int minTrain) {
    return LeaveLastOutSplit.of(test.train(), holdout, minTrain);
  }

  /** The metric every validation choice maximises (the issue's target metric). */
  static final String CHOOSE_BY = "hit_rate@50";

  /**
   * Real data (null when absent): every method on MovieLens, leave-last-out by time, each choice
   * made on a validation slice inside the training side, every list restricted to films that
   * existed at the request, trained methods over {@link #SEEDS}.
   */
  public JsonObject movielens(Path movielensDir) throws IOException {
    if (movielensDir == null || !Files.isDirectory(movielensDir)) {
      log.warn("no MovieLens folder at {}: the real-data table is skipped", movielensDir);
      return null;
    }
    Path dataDir = work.resolve("data/movielens");
    if (!Files.exists(dataDir.resolve(Dataset.META))) {
      MovieLensImporter.importDir(movielensDir, dataDir);
    }
    Dataset data = Dataset.read(dataDir);
    LeaveLastOutSplit test = LeaveLastOutSplit.of(data, plan.holdout(), plan.minTrain());
    LeaveLastOutSplit validation = validation(test, plan.holdout(), plan.minTrain());
    Protocol onTest = new Protocol("test", test, ItemAvailability.of(data));
    Protocol onValidation =
        new Protocol("validation", validation, ItemAvailability.of(test.train()));

    JsonObject grids = new JsonObject();
    JsonObject chosen = new JsonObject();
    JsonArray methods = new JsonArray();
    methods.add(onTest.baseline("most-popular", new JsonObject(), 0));
    for (BaselineGrid grid : BaselineGrid.values()) {
      JsonArray rows = new JsonArray();
      for (JsonObject config : grid.configs()) {
        rows.add(onValidation.baseline(grid.method(), config, SEEDS[0]));
      }
      JsonObject best = best(rows);
      grids.put(grid.method(), rows);
      chosen.put(grid.method(), best.getJsonObject("config"));
      JsonArray seeds = new JsonArray();
      for (long seed : grid.seeded() ? SEEDS : new long[] {0}) {
        seeds.add(onTest.baseline(grid.method(), best.getJsonObject("config"), seed));
      }
      methods.add(overSeeds(grid.method(), seeds).put("config", best.getJsonObject("config")));
    }

    // The funnel's switches: every configuration over every seed on validation, chosen by the
    // mean (one seed per configuration made the choice a coin toss); the renderer prints the
    // paired interval of the chosen one against each other.
    JsonArray funnelRows = new JsonArray();
    for (FunnelConfig config : movielensFunnels()) {
      JsonArray ranked = new JsonArray();
      JsonArray retrieval = new JsonArray();
      JsonArray orderChoices = new JsonArray();
      for (long seed : SEEDS) {
        JsonObject r = onValidation.funnel(config, seed);
        ranked.add(find(r.getJsonArray("methods"), "funnel"));
        retrieval.add(find(r.getJsonArray("methods"), "retrieval"));
        orderChoices.add(r.getJsonObject("order_choice", new JsonObject()));
      }
      funnelRows.add(
          new JsonObject()
              .put("key", config.key())
              .put("label", config.label())
              .put("seeds", seedsJson(SEEDS))
              .put("order_choices", orderChoices)
              .put(
                  "methods",
                  new JsonArray()
                      .add(overSeeds("retrieval", retrieval))
                      .add(overSeeds("funnel", ranked))));
    }
    grids.put("funnel", funnelRows);
    String winner = best(pick(funnelRows, "funnel")).getString("key");
    chosen.put("funnel", winner);
    JsonArray configs = new JsonArray();
    // The chosen configuration and `./funnel train`'s defaults over every seed ("the defaults as
    // served" is a finding whether or not validation chose them), first; the others are for
    // reference, and a run short of time can give them fewer seeds (unchosenSeeds) while reusing
    // every result already cached.
    List<FunnelConfig> onTestOrder = new ArrayList<>(movielensFunnels());
    onTestOrder.sort(
        java.util.Comparator.comparing((FunnelConfig c) -> !c.key().equals(winner))
            .thenComparing(c -> !c.key().equals(DEFAULTS)));
    for (FunnelConfig config : onTestOrder) {
      JsonArray ranked = new JsonArray();
      JsonArray retrieval = new JsonArray();
      double trainSeconds = 0;
      double[] load = {Double.MAX_VALUE, 0};
      long[] seeds =
          config.key().equals(winner) || config.key().equals(DEFAULTS)
              ? SEEDS
              : java.util.Arrays.copyOf(SEEDS, Math.min(unchosenSeeds, SEEDS.length));
      JsonArray orderChoices = new JsonArray();
      for (long seed : seeds) {
        JsonObject r = onTest.funnel(config, seed);
        orderChoices.add(r.getJsonObject("order_choice", new JsonObject()));
        ranked.add(find(r.getJsonArray("methods"), "funnel"));
        retrieval.add(find(r.getJsonArray("methods"), "retrieval"));
        trainSeconds += r.getDouble("train_seconds");
        double l = r.getDouble("load_average", -1.0);
        if (l >= 0) {
          load[0] = Math.min(load[0], l);
          load[1] = Math.max(load[1], l);
        }
      }
      methods.add(overSeeds("retrieval-" + config.key(), retrieval));
      methods.add(overSeeds("funnel-" + config.key(), ranked));
      JsonObject c =
          new JsonObject()
              .put("key", config.key())
              .put("label", config.label())
              .put("options", config.options().toJson())
              .put("variant", config.variant().toJson())
              .put("chosen", config.key().equals(winner))
              .put("seeds", seeds.length)
              .put("order_choices", orderChoices)
              .put("train_seconds", QualityEvaluation.round1(trainSeconds / seeds.length));
      if (load[1] > 0) {
        c.put("load_average", new JsonArray().add(load[0]).add(load[1]));
      }
      configs.add(c);
    }
    return new JsonObject()
        .put("code_version", codeVersion)
        .put("dataset", data.meta().toJson())
        .put("videos", data.videos().size())
        .put("users", data.users().size())
        .put("watches", data.watches().size())
        .put("evaluated_users", test.evaluatedUsers().length)
        .put("validation_users", validation.evaluatedUsers().length)
        .put("holdout", plan.holdout())
        .put("min_train", plan.minTrain())
        .put("validation_holdout", plan.holdout())
        .put("seeds", seedsJson(SEEDS))
        .put("choose_by", CHOOSE_BY)
        .put("validation", new JsonObject().put("grids", grids).put("chosen", chosen))
        .put("funnels", configs)
        .put("methods", methods);
  }

  private static JsonArray seedsJson(long[] seeds) {
    return new JsonArray(java.util.Arrays.stream(seeds).boxed().toList());
  }

  /** The rows of one method (funnel validation rows carry both stages; keep the full funnel). */
  private static JsonArray pick(JsonArray rows, String method) {
    JsonArray out = new JsonArray();
    for (int i = 0; i < rows.size(); i++) {
      JsonObject row = rows.getJsonObject(i);
      out.add(find(row.getJsonArray("methods"), method).copy().put("key", row.getString("key")));
    }
    return out;
  }

  /** The row with the highest {@link #CHOOSE_BY} (the first on a tie: the grid's order). */
  static JsonObject best(JsonArray rows) {
    JsonObject best = null;
    for (int i = 0; i < rows.size(); i++) {
      JsonObject r = rows.getJsonObject(i);
      if (best == null || r.getDouble(CHOOSE_BY) > best.getDouble(CHOOSE_BY)) {
        best = r;
      }
    }
    return best;
  }

  static JsonObject find(JsonArray methods, String name) {
    for (int i = 0; i < methods.size(); i++) {
      if (name.equals(methods.getJsonObject(i).getString("method"))) {
        return methods.getJsonObject(i);
      }
    }
    throw new IllegalStateException("no method " + name + " in the results");
  }

  /**
   * One method over seeds: each metric's mean over seeds (per_seed keeps each), and per-user values
   * averaged over seeds, which the bootstrap resamples.
   */
  static JsonObject overSeeds(String method, JsonArray seeds) {
    JsonObject first = seeds.getJsonObject(0);
    JsonObject out = new JsonObject().put("method", method).put("seeds", seeds.size());
    for (String metric : first.fieldNames()) {
      if (first.getValue(metric) instanceof Number && !metric.equals("users")) {
        double s = 0;
        for (int i = 0; i < seeds.size(); i++) {
          s += seeds.getJsonObject(i).getDouble(metric);
        }
        out.put(metric, TopKMetrics.round(s / seeds.size()));
      }
    }
    out.put("users", first.getInteger("users"));
    JsonObject perUser = new JsonObject();
    for (String column : TopKMetrics.PER_USER) {
      int n = first.getJsonObject("per_user").getJsonArray(column).size();
      JsonArray mean = new JsonArray();
      for (int u = 0; u < n; u++) {
        double s = 0;
        for (int i = 0; i < seeds.size(); i++) {
          s += seeds.getJsonObject(i).getJsonObject("per_user").getJsonArray(column).getDouble(u);
        }
        mean.add(TopKMetrics.round(s / seeds.size()));
      }
      perUser.put(column, mean);
    }
    JsonArray perSeed = new JsonArray();
    for (int i = 0; i < seeds.size(); i++) {
      JsonObject copy = seeds.getJsonObject(i).copy();
      copy.remove("per_user");
      perSeed.add(copy);
    }
    return out.put("per_seed", perSeed).put("per_user", perUser);
  }

  /** The baselines tuned on validation, each with the same number of configurations. */
  enum BaselineGrid {
    TIME_POPULAR("time-popular", false),
    ITEM_KNN("itemknn", false),
    ALS("als-mf", true);

    private final String method;
    private final boolean seeded;

    BaselineGrid(String method, boolean seeded) {
      this.method = method;
      this.seeded = seeded;
    }

    String method() {
      return method;
    }

    /** Whether the method has a random start (then it runs over every seed). */
    boolean seeded() {
      return seeded;
    }

    /** {@link #BUDGET} configurations each. */
    List<JsonObject> configs() {
      List<JsonObject> out = new ArrayList<>();
      switch (this) {
        case TIME_POPULAR -> {
          for (int days : new int[] {1, 7, 30, 90, 180, 365, 1095, 0}) {
            out.add(new JsonObject().put("window_days", days)); // 0: all time before the request
          }
        }
        case ITEM_KNN -> {
          for (int k : new int[] {20, 50, 100, 200}) {
            for (float shrink : new float[] {0f, 10f}) {
              out.add(new JsonObject().put("neighbours", k).put("shrinkage", shrink));
            }
          }
        }
        case ALS -> {
          for (int d : new int[] {32, 64}) {
            for (float alpha : new float[] {5f, 20f}) {
              for (float lambda : new float[] {1f, 10f}) {
                out.add(
                    new JsonObject()
                        .put("factors", d)
                        .put("alpha", alpha)
                        .put("lambda", lambda)
                        .put("iterations", ALS_ITERATIONS));
              }
            }
          }
        }
      }
      return out;
    }
  }

  /** Configurations per tuned baseline: the same budget for each. */
  static final int BUDGET = 8;

  static final int ALS_ITERATIONS = 10;

  /** A baseline from its name and configuration, trained on a split's training side. */
  static Recommender baseline(
      String method, JsonObject config, long seed, LeaveLastOutSplit split) {
    int videos = split.train().videos().size();
    int[][] items = split.trainItems();
    return switch (method) {
      case "most-popular" -> new MostPopular(items, videos);
      case "time-popular" -> {
        int days = config.getInteger("window_days");
        long window = days == 0 ? TimeAwarePopular.ALL_TIME : days * 86_400L;
        yield new TimeAwarePopular(split.train().watches(), split.requestTs(), window, videos);
      }
      case "itemknn" ->
          new ItemKnn(items, videos, config.getInteger("neighbours"), config.getFloat("shrinkage"));
      case "als-mf" ->
          new ImplicitAls(
              items,
              videos,
              config.getInteger("factors"),
              config.getFloat("alpha"),
              config.getFloat("lambda"),
              config.getInteger("iterations"),
              seed);
      default -> throw new IllegalArgumentException("unknown baseline " + method);
    };
  }

  /** One side (validation or test) of the MovieLens protocol, with its cached measurements. */
  private final class Protocol {
    private final String side;
    private final LeaveLastOutSplit split;
    private final ItemAvailability availability;
    private Profiles profiles;

    Protocol(String side, LeaveLastOutSplit split, ItemAvailability availability) {
      this.side = side;
      this.split = split;
      this.availability = availability;
    }

    JsonObject baseline(String method, JsonObject config, long seed) throws IOException {
      JsonObject key =
          new JsonObject()
              .put("side", side)
              .put("method", method)
              .put("config", config)
              .put("seed", seed);
      return cached(
          "movielens/" + side + "-" + method,
          key,
          () -> {
            long started = System.nanoTime();
            Recommender r = QualityReport.baseline(method, config, seed, split);
            double fit = (System.nanoTime() - started) / 1e9;
            return QualityEvaluation.listMetrics(split, r, availability)
                .put("config", config)
                .put("seed", seed)
                .put("fit_seconds", QualityEvaluation.round1(fit));
          });
    }

    /** Trains the funnel with {@code config} and {@code seed}; both stages' list metrics. */
    JsonObject funnel(FunnelConfig config, long seed) throws IOException {
      TrainOptions options = config.options().withSeed(seed);
      JsonObject key =
          new JsonObject()
              .put("side", side)
              .put("options", options.toJson())
              .put("variant", config.variant().toJson());
      return cached(
          "movielens/" + side + "-funnel-" + config.key() + "-seed" + seed,
          key,
          () -> {
            log.info("MovieLens {}: training the funnel '{}', seed {}", side, config.key(), seed);
            if (profiles == null) {
              profiles = new Profiles(split.train());
            }
            long started = System.nanoTime();
            Path version =
                QualityEvaluation.trainFunnel(
                    split,
                    work.resolve("models/movielens-" + side + "-" + config.key() + "-" + seed),
                    options,
                    config.variant());
            double trainSeconds = (System.nanoTime() - started) / 1e9;
            // The machine is shared: the load when training ended goes beside its duration.
            double load =
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                    .getSystemLoadAverage();
            JsonArray rows = new JsonArray();
            JsonObject orderChoice = new JsonObject();
            QualityEvaluation.withBundle(
                version,
                bundle -> {
                  orderChoice.mergeIn(orderChoice(bundle));
                  for (boolean rank : new boolean[] {false, true}) {
                    try (FunnelRecommender f =
                        new FunnelRecommender(
                            bundle, profiles, split.requestTs(), FeatureEncoder.HISTORY, rank)) {
                      rows.add(
                          QualityEvaluation.listMetrics(split, f, availability)
                              .put("served_order", f.servedOrder()));
                    }
                  }
                  return null;
                });
            deleteTree(version.getParent());
            return new JsonObject()
                .put("key", config.key())
                .put("label", config.label())
                .put("seed", seed)
                .put("train_seconds", QualityEvaluation.round1(trainSeconds))
                .put("load_average", QualityEvaluation.round1(load))
                .put("order_choice", orderChoice)
                .put("methods", rows);
          });
    }
  }

  /**
   * Why training recorded its serving order: the reason, and the held-out users and HitRate@50
   * difference (ranker − retrieval) it was read from ({@code training.order_choice}; empty when not
   * recorded).
   */
  static JsonObject orderChoice(dev.funnel.models.ModelBundle bundle) {
    JsonObject choice =
        bundle
            .manifest()
            .getJsonObject("training", new JsonObject())
            .getJsonObject("order_choice", new JsonObject());
    JsonObject out = new JsonObject().put("order", choice.getString("order"));
    out.put("reason", choice.getString("reason"));
    JsonObject v = choice.getJsonObject("validation");
    if (v != null) {
      out.put("users", v.getInteger("users"))
          .put("requests", v.getInteger("requests"))
          .put("ranker_minus_retrieval", v.getJsonObject("ranker_minus_retrieval"));
    }
    return out;
  }

  /** The key of {@code ./funnel train}'s defaults among the MovieLens funnels. */
  static final String DEFAULTS = "defaults";

  /** One way of training the funnel on MovieLens: its key, label, options and switches. */
  record FunnelConfig(String key, String label, TrainOptions options, ModelVariant variant) {}

  /**
   * The funnels tried on validation: {@code ./funnel train}'s defaults as they are; the same
   * without example age (the one switch that behaves differently in a replay of past requests); and
   * the ranker trained on the last half of the training window instead of the last fifth. On
   * MovieLens the last fifth of the ratings comes from few users (about 110), so the serving-order
   * choice holds out fewer users than it needs (30) and keeps the ranker; the last half gives it
   * enough users to choose.
   */
  List<FunnelConfig> movielensFunnels() {
    return List.of(
        new FunnelConfig(
            DEFAULTS, "`./funnel train` defaults", plan.movielens(), ModelVariant.standard()),
        new FunnelConfig(
            "no-example-age",
            "defaults without example age",
            plan.movielens(),
            ModelVariant.standard().withExampleAge(false)),
        new FunnelConfig(
            "ranker-half",
            "defaults, ranker on the last half of the window (`--ranker-quantile 0.5`)",
            plan.movielens().withRankerQuantile(0.5),
            ModelVariant.standard()));
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** The measurement cached under {@code name} for {@code key} (plus the plan). */
  private JsonObject cached(String name, JsonObject key, ResultCache.Measure m) throws IOException {
    return cache.get(name, key.copy().put("plan", planJson()), m);
  }

  /** What of the plan a cached result depends on. */
  JsonObject planJson() {
    return new JsonObject()
        .put("name", plan.name())
        .put("world", plan.worldVideos() + "x" + plan.worldUsers() + "x" + plan.worldDays())
        .put("synthetic", plan.synthetic().toJson())
        .put("movielens", plan.movielens().toJson())
        .put("holdout", plan.holdout())
        .put("min_train", plan.minTrain());
  }

  /** The ablation runs, by name: each a variant of the standard model or training options. */
  Map<String, Run> ablationRuns() {
    Map<String, Run> runs = new LinkedHashMap<>();
    // The ablations study the paper's stages: their funnel rows keep the ranker's order, whatever
    // the serving-order choice would pick (the MovieLens rows are the ones served as chosen).
    TrainOptions o = plan.synthetic().withOrder(TrainOptions.Order.RANKER);
    ModelVariant std = ModelVariant.standard();
    runs.put("standard", new Run("standard", std, o));
    runs.put("tower-linear", new Run("tower depth 0 (linear)", std.withTower(0, 0), o));
    runs.put("tower-128", new Run("tower 128", std.withTower(128, 0), o));
    runs.put("tower-512-256", new Run("tower 512→256", std.withTower(512, 256), o));
    runs.put("ranker-lr", new Run("ranker depth 0 (LR)", std.withRanker(0, 0, 0), o));
    runs.put("ranker-64", new Run("ranker 64", std.withRanker(64, 0, 0), o));
    runs.put("ranker-128-64", new Run("ranker 128→64", std.withRanker(128, 64, 0), o));
    runs.put("no-example-age", new Run("without example age", std.withExampleAge(false), o));
    runs.put("history-5", new Run("history 5", std.withHistoryLength(5), o));
    runs.put("history-20", new Run("history 20", std.withHistoryLength(20), o));
    runs.put("negatives-64", new Run("64 negatives", std, withNegatives(o, 64)));
    runs.put("negatives-512", new Run("512 negatives", std, withNegatives(o, 512)));
    runs.put("click-lr", new Run("ranker by click LR", std.withWeightedRanker(false), o));
    return runs;
  }

  record Run(String label, ModelVariant variant, TrainOptions options) {}

  /** Home-feed variety is read on lists of this length (the API's default count). */
  static final int TOPICS_LIST = 20;

  /** Runs (or reads from the cache) every ablation on the synthetic world. */
  public JsonObject ablations() throws IOException {
    return ablations(null);
  }

  /** As {@link #ablations()}, only the runs named in {@code only} (null: all). */
  public JsonObject ablations(java.util.Set<String> only) throws IOException {
    Path dataDir = work.resolve("data/world");
    if (!Files.exists(dataDir.resolve(Dataset.META))) {
      GeneratorOptions g =
          new GeneratorOptions(
              plan.worldVideos(),
              plan.worldUsers(),
              plan.worldDays(),
              42,
              GeneratorOptions.rwSmall().topics(),
              GeneratorOptions.rwSmall().vocabulary(),
              GeneratorOptions.rwSmall().watchesPerUser(),
              GeneratorOptions.rwSmall().slateSize());
      WorldGenerator.generate(g, dataDir);
    }
    Dataset data = Dataset.read(dataDir);
    LeaveLastOutSplit split = LeaveLastOutSplit.of(data, plan.holdout(), plan.minTrain());
    ItemAvailability availability = ItemAvailability.of(data);
    Profiles profiles = new Profiles(split.train());
    JsonObject results = new JsonObject();
    List<String> names = new ArrayList<>(ablationRuns().keySet());
    int i = 0;
    for (Map.Entry<String, Run> e : ablationRuns().entrySet()) {
      i++;
      if (only != null && !only.contains(e.getKey())) {
        continue;
      }
      Run run = e.getValue();
      int index = i;
      JsonObject key =
          new JsonObject()
              .put("run", e.getKey())
              .put("variant", run.variant().toJson())
              .put("options", run.options().toJson());
      JsonObject r =
          cached(
              "ablations/" + e.getKey(),
              key,
              () -> {
                log.info("ablation {}/{}: {}", index, names.size(), run.label());
                long started = System.nanoTime();
                Path version =
                    QualityEvaluation.trainFunnel(
                        split, work.resolve("models/" + e.getKey()), run.options(), run.variant());
                double trainSeconds = (System.nanoTime() - started) / 1e9;
                JsonObject j =
                    QualityEvaluation.withBundle(
                        version,
                        bundle -> {
                          JsonObject m = new JsonObject();
                          int history = run.variant().historyLength();
                          try (FunnelRecommender retrieval =
                                  new FunnelRecommender(
                                      bundle, profiles, split.requestTs(), history, false);
                              FunnelRecommender funnel =
                                  new FunnelRecommender(
                                      bundle, profiles, split.requestTs(), history, true)) {
                            m.put(
                                "retrieval",
                                QualityEvaluation.listMetrics(split, retrieval, availability));
                            m.put(
                                "funnel",
                                QualityEvaluation.listMetrics(split, funnel, availability));
                            m.put(
                                "topics_per_list",
                                QualityEvaluation.topicsPerList(
                                    split, funnel, availability, TOPICS_LIST));
                            m.put("ranker", QualityEvaluation.rankerPages(split, funnel));
                            m.put("freshness", QualityEvaluation.freshness(split, funnel));
                          }
                          m.put("shapes", bundle.shapes().toJson());
                          return m;
                        });
                return j.put("label", run.label())
                    .put("variant", run.variant().toJson())
                    .put("options", run.options().toJson())
                    .put("train_seconds", QualityEvaluation.round1(trainSeconds));
              });
      results.put(e.getKey(), r);
    }
    return new JsonObject()
        .put("dataset", data.meta().toJson())
        .put("videos", data.videos().size())
        .put("users", data.users().size())
        .put("watches", data.watches().size())
        .put("impressions", data.impressions().size())
        .put("evaluated_users", split.evaluatedUsers().length)
        .put("holdout", plan.holdout())
        .put("runs", results);
  }

  static JsonObject read(Path p) throws IOException {
    return new JsonObject(Files.readString(p, StandardCharsets.UTF_8));
  }

  static void write(Path p, JsonObject j) throws IOException {
    Files.createDirectories(p.getParent());
    Path tmp = p.resolveSibling(p.getFileName() + ".tmp");
    Files.writeString(tmp, j.encodePrettily(), StandardCharsets.UTF_8);
    Files.move(tmp, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }
}
