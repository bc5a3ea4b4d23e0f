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
 * Trains both models on a dataset and writes a new model version. Steps: a global time split
 * (training sees only events before the cutoff), vocabularies from the training side, the candidate
 * model, then the ranker (whose retrieval-score feature needs the candidate model), the popularity
 * list, a staged write, a load of the staged bundle (the server's own validation), evaluation on
 * the test side, and finally the atomic publish that moves LATEST.
 */
public final class ModelTrainer {
  private static final Logger log = LoggerFactory.getLogger(ModelTrainer.class);
  private static final DateTimeFormatter VERSION_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

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
    long firstTs = data.watches().ts()[0];
    int trainWatches = countBefore(data.watches().ts(), cutoff);
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
    float exampleAgeScale = Math.max(1f, cutoff - firstTs);
    FeatureEncoder userEncoder = new FeatureEncoder(vocabularies, catalog, null, exampleAgeScale);
    Timeline timeline = new Timeline(data);
    EncodedUsers users = new EncodedUsers(timeline, vocabularies, variant.historyLength());

    Engine.getInstance().setRandomSeed((int) options.seed());
    try (NDManager manager = NDManager.newBaseManager()) {
      CandidateTrainer.Result candidate =
          CandidateTrainer.train(manager, users, userEncoder, shapes, cutoff, options, variant);
      RankerTrainer.Result ranker =
          RankerTrainer.train(
              manager, users, userEncoder, candidate, shapes, cutoff, options, variant);
      float[] vectors = candidate.softmax().weight().getArray().toFloatArray();
      float[] bias = candidate.softmax().bias().getArray().toFloatArray();

      long dataEnd = data.meta().endTs();
      int[] popular =
          Popularity.ranking(Popularity.counts(data, dataEnd + 1, options.popularWindowDays()));
      double trainSeconds = (System.nanoTime() - started) / 1e9;
      JsonObject manifest =
          new JsonObject()
              .put("created_at", Instant.now().toString())
              .put("data", data.meta().toJson())
              .put(
                  "split",
                  new JsonObject()
                      .put("cutoff_ts", cutoff)
                      .put("cutoff_quantile", options.cutoffQuantile())
                      .put("train_watches", trainWatches)
                      .put("test_watches", data.watches().size() - trainWatches))
              .put(
                  "training",
                  new JsonObject()
                      .put("options", options.toJson())
                      .put("variant", variant.toJson())
                      .put("candidate", candidate.stats())
                      .put("ranker", ranker.stats())
                      .put("seconds", CandidateTrainer.round(trainSeconds)))
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
      Path staged =
          ModelBundleWriter.stage(
              modelsRoot,
              version,
              new ModelBundleWriter.Contents(
                  manifest,
                  shapes,
                  vocabularies,
                  catalog,
                  ranker.quantiles(),
                  exampleAgeScale,
                  candidate.tower(),
                  ranker.ranker(),
                  vectors,
                  bias,
                  popular,
                  ranker.calibration()));
      JsonObject metrics;
      JsonObject written;
      try (ModelBundle bundle = ModelBundle.load(staged)) {
        long evalStart = System.nanoTime();
        metrics = Evaluator.evaluate(data, bundle);
        metrics.put("seconds", CandidateTrainer.round((System.nanoTime() - evalStart) / 1e9));
        written = bundle.manifest();
      }
      log.info("evaluation: {}", metrics.encode());
      ModelBundleWriter.writeManifest(staged, written.put("metrics", metrics));
      Path published = ModelBundleWriter.publish(modelsRoot, staged, version);
      log.info("wrote model version {} in {} s", published, String.format("%.1f", trainSeconds));
      return published;
    }
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
