package dev.funnel.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.data.Dataset;
import dev.funnel.features.UserProfile;
import dev.funnel.models.BundleFiles;
import dev.funnel.models.ModelBundle;
import dev.funnel.models.RankerModel;
import dev.funnel.models.UserTower;
import dev.funnel.testing.TinyWorld;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trains once on the tiny loyal-topic world, then checks what the models learned. */
class ModelTrainerTest {
  @TempDir static Path tmp;
  static Dataset data;
  static Path version;
  static ModelBundle bundle;
  static JsonObject metrics;

  @BeforeAll
  static void train() throws IOException {
    data = Dataset.read(TinyWorld.write(tmp.resolve("data"), TinyWorld.Spec.tiny()));
    version = ModelTrainer.train(data, tmp.resolve("models"), TrainOptions.fast());
    bundle = ModelBundle.load(tmp.resolve("models"));
    metrics = bundle.manifest().getJsonObject("metrics");
  }

  @AfterAll
  static void close() {
    if (bundle != null) {
      bundle.close();
    }
  }

  @Test
  void train_writesVersionAndMovesLatest() throws IOException {
    assertEquals(version.getFileName().toString(), bundle.version());
    assertTrue(bundle.version().startsWith("tiny-"), bundle.version());
    assertEquals(
        bundle.version(), Files.readString(tmp.resolve("models").resolve("LATEST")).trim());
    for (String f :
        List.of(
            BundleFiles.MANIFEST,
            BundleFiles.VIDEOS,
            BundleFiles.VIDEO_VECTORS,
            BundleFiles.VIDEO_BIAS,
            BundleFiles.POPULAR,
            BundleFiles.QUANTILES,
            "user_tower-0000.params",
            "ranker-0000.params")) {
      assertTrue(Files.isRegularFile(version.resolve(f)), f);
    }
    try (var entries = Files.list(tmp.resolve("models"))) {
      assertFalse(entries.anyMatch(p -> p.getFileName().toString().startsWith(".staging")));
    }
    JsonObject training = bundle.manifest().getJsonObject("training");
    assertEquals("impressions", training.getJsonObject("ranker").getString("source"));
    assertTrue(training.getJsonObject("candidate").getLong("examples_per_s") > 0);
    assertTrue(bundle.popular().length > 0);
  }

  @Test
  void train_candidateModelBeatsPopularityOnRecall50() {
    double model = metrics.getJsonObject("candidate").getDouble("recall@50");
    double popular = metrics.getJsonObject("popular_baseline").getDouble("recall@50");
    assertTrue(model > popular, "model " + model + " vs popular " + popular + ": " + metrics);
  }

  @Test
  void train_rankerAucAboveChance() {
    double auc = metrics.getJsonObject("ranker").getDouble("auc");
    assertTrue(auc > 0.6, "ranker AUC " + auc + ": " + metrics);
  }

  @Test
  void train_rankerCalibratedOnHeldOutExamples() {
    assertTrue(bundle.calibration().fitted());
    assertTrue(Files.isRegularFile(version.resolve(BundleFiles.CALIBRATION)));
    JsonObject calibration =
        bundle
            .manifest()
            .getJsonObject("training")
            .getJsonObject("ranker")
            .getJsonObject("calibration");
    JsonObject ranker = bundle.manifest().getJsonObject("training").getJsonObject("ranker");
    int examples = ranker.getInteger("examples");
    assertEquals(
        examples,
        calibration.getInteger("examples") + ranker.getInteger("examples_fitted"),
        "each example either fits the served ranker or calibrates it: " + calibration.encode());
    double share = calibration.getInteger("examples") / (double) examples;
    assertTrue(
        Math.abs(share - RankerTrainer.CALIBRATION_USER_SHARE) < 0.1,
        "held-out share of examples " + share);
    var reliability = metrics.getJsonObject("ranker").getJsonArray("reliability");
    assertEquals(Evaluator.RELIABILITY_BINS, reliability.size(), reliability.encode());
    for (int b = 0; b < reliability.size(); b++) {
      JsonObject bin = reliability.getJsonObject(b);
      if (bin.getValue("ratio") != null) {
        assertTrue(
            bin.getDouble("ratio_low") <= bin.getDouble("ratio")
                && bin.getDouble("ratio") <= bin.getDouble("ratio_high"),
            "interval around the ratio: " + bin.encode());
      }
    }
  }

  @Test
  void calibration_trainedTable_isIncreasing_strictlyAroundItsKnots() {
    var table = bundle.calibration();
    var knots = table.toJson().getJsonArray("logit");
    float low = knots.getFloat(0) - 3f;
    float high = knots.getFloat(knots.size() - 1) + 2f;
    float previous = Float.NEGATIVE_INFINITY;
    for (float logit = -20f; logit <= 20f; logit += 0.05f) {
      float s = table.seconds(logit);
      // Far above the last knot the value approaches its ceiling and floats stop moving.
      boolean strict = logit >= low && logit <= high;
      assertTrue(
          strict ? s > previous : s >= previous,
          "seconds(" + logit + ") = " + s + " after " + previous);
      previous = s;
    }
  }

  @Test
  void train_earlyStopping_recordsTheCurveAndKeepsTheBestEpoch() {
    JsonObject candidate = bundle.manifest().getJsonObject("training").getJsonObject("candidate");
    JsonObject stopping = candidate.getJsonObject("early_stopping");
    var curve = stopping.getJsonArray("curve");
    int best = stopping.getInteger("best_epoch");
    assertEquals(candidate.getJsonArray("epochs").size(), curve.size(), stopping.encode());
    assertTrue(curve.size() <= TrainOptions.fast().epochs(), stopping.encode());
    for (int e = 0; e < curve.size(); e++) {
      assertTrue(curve.getDouble(e) <= curve.getDouble(best - 1), stopping.encode());
    }
    var continued = candidate.getJsonArray("continued");
    assertEquals(
        ModelTrainer.continueEpochs(best),
        continued.getJsonObject(0).getJsonArray("epochs").size(),
        "B continues for half the epochs A kept");
  }

  @Test
  void expectedWatchSeconds_neverAboveTheVideosDuration() {
    int videos = bundle.catalog().size();
    int[] candidates = IntStream.range(0, videos).toArray();
    float[] retrieval = new float[videos];
    java.util.Arrays.fill(retrieval, 50f); // far above anything seen in training
    try (RankerModel ranker = bundle.newRanker()) {
      for (int u = 0; u < 20; u++) {
        long now = bundle.dataEndTs();
        UserProfile p = profileOf(u, now);
        float[] seconds = ranker.expectedWatchSeconds(p, candidates, retrieval, videos, now);
        for (int v = 0; v < videos; v++) {
          int duration = bundle.catalog().durationSeconds(v);
          assertTrue(duration > 0, "video " + v + " has no duration");
          assertTrue(
              seconds[v] >= 0 && seconds[v] <= duration,
              "video " + v + ": " + seconds[v] + " s, duration " + duration + " s");
        }
      }
    }
  }

  private static UserProfile profileOf(int user, long now) {
    List<UserProfile.Watched> history = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      history.add(
          new UserProfile.Watched("v" + ((user * 37 + i * 20) % 1000), now - 3600L * (10 - i)));
    }
    return new UserProfile("u" + user, "US", "en", "f", 30, history, List.of(), Map.of());
  }

  @Test
  void train_outOfSampleProtocol_recordsEvaluatedAndPublishedWindows() {
    JsonObject manifest = bundle.manifest();
    long cutoff = manifest.getJsonObject("split").getLong("cutoff_ts");
    long rankerFrom = manifest.getJsonObject("split").getLong("ranker_from_ts");
    assertTrue(rankerFrom < cutoff, rankerFrom + " vs " + cutoff);
    JsonObject training = manifest.getJsonObject("training");
    JsonObject protocol = training.getJsonObject("protocol");
    assertEquals("out_of_sample", protocol.getString("retrieval_score"));
    JsonObject rankerWindow = training.getJsonObject("ranker").getJsonObject("window");
    assertEquals(rankerFrom, rankerWindow.getLong("from_ts"));
    assertEquals(cutoff, rankerWindow.getLong("to_ts"));
    assertEquals(
        rankerFrom, training.getJsonObject("candidate").getJsonObject("window").getLong("to_ts"));
    assertEquals(cutoff, protocol.getJsonObject("evaluated_model").getLong("trained_to_ts"));
    assertTrue(protocol.getJsonObject("published_model").getLong("trained_to_ts") > cutoff);
    assertEquals(2, training.getJsonObject("candidate").getJsonArray("continued").size());
    assertTrue(ModelTrainer.trainedPastCutoff(manifest));
    JsonObject auc = metrics.getJsonObject("retrieval_score_click_auc");
    assertTrue(auc.containsKey("ranker_training") && auc.containsKey("test"), auc.encode());
    assertEquals(0, training.getJsonObject("ranker").getInteger("examples_before_upload"));
  }

  @Test
  void train_servingOrder_chosenOnHeldOutUsersAndRecorded() {
    JsonObject manifest = bundle.manifest();
    JsonObject choice = manifest.getJsonObject("training").getJsonObject("order_choice");
    assertEquals(manifest.getJsonObject("serving").getString("order"), choice.getString("order"));
    assertEquals(choice.getString("order"), bundle.servingOrder().label());
    assertEquals(
        "auto", manifest.getJsonObject("training").getJsonObject("options").getString("order"));
    JsonObject v = choice.getJsonObject("validation");
    assertTrue(v != null && v.getInteger("users") > 0, choice.encode());
    assertTrue(v.containsKey("watch_seconds_share"), v.encode());
    // The rule, as recorded: retrieval exactly when the ranker's means are lower on both.
    boolean lost =
        v.getJsonObject("ranker_minus_retrieval").getDouble("mean") < 0
            && v.getJsonObject("watch_seconds_share")
                    .getJsonObject("ranker_minus_retrieval")
                    .getDouble("mean")
                < 0;
    boolean enough = v.getInteger("users") >= OrderChoice.MIN_USERS;
    assertEquals(
        lost && enough ? "retrieval" : "ranker", choice.getString("order"), choice.encode());
  }

  @Test
  void userVector_topicLoyalHistoryRetrievesThatTopic() {
    int topics = 20;
    String topic = "t3";
    List<UserProfile.Watched> history = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      history.add(new UserProfile.Watched("v" + (3 + topics * i), bundle.dataEndTs() - 1000 + i));
    }
    UserProfile p = new UserProfile("fan", "", "", "u", 0, history, List.of(), Map.of());
    float[] u;
    try (UserTower tower = bundle.newUserTower()) {
      u = tower.userVector(p, bundle.dataEndTs());
    }
    float[] w = bundle.videoVectors();
    float[] b = bundle.videoBias();
    int d = bundle.dims();
    List<Integer> top =
        IntStream.range(0, bundle.catalog().size())
            .boxed()
            .sorted(
                Comparator.comparingDouble(
                    (Integer v) -> {
                      double s = b[v];
                      for (int j = 0; j < d; j++) {
                        s += u[j] * w[v * d + j];
                      }
                      return -s;
                    }))
            .limit(20)
            .toList();
    long same = top.stream().filter(v -> bundle.catalog().topic(v).equals(topic)).count();
    assertTrue(
        same >= 12,
        same
            + " of the top 20 are "
            + topic
            + ": "
            + top.stream().map(v -> bundle.catalog().topic(v)).toList());
  }
}
