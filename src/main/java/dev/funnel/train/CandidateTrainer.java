package dev.funnel.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.funnel.models.FeatureEncoder;
import dev.funnel.models.ModelShapes;
import dev.funnel.models.SoftmaxBlock;
import dev.funnel.models.UserInputs;
import dev.funnel.models.UserTowerBlock;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the candidate model: one example per watch in a time window [from, to), whose label is
 * that watch and whose input is the user as they were just before it (history and searches strictly
 * earlier in time, so watches of the same second never see each other; example age = to − watch
 * time). Loss: sampled softmax with logQ correction, Adam. A fit may start from an earlier fit's
 * blocks (warm start: {@link ModelTrainer}'s protocol continues a model on later windows); it then
 * trains those blocks in place.
 */
final class CandidateTrainer {
  private static final Logger log = LoggerFactory.getLogger(CandidateTrainer.class);

  /**
   * The trained blocks (arrays in the caller's manager), the optimizer with its state (a warm start
   * continues it: a fresh Adam takes near-full learning-rate steps on every touched weight for its
   * first hundreds of steps, which undoes a trained model in a short continuation), and what the
   * run measured.
   */
  record Result(
      UserTowerBlock tower, SoftmaxBlock softmax, CandidateStep optimizer, JsonObject stats) {
    /** The epochs whose weights the fit kept (early stopping may keep fewer than it ran). */
    int keptEpochs() {
      JsonObject stopped = stats.getJsonObject("early_stopping");
      return stopped != null
          ? stopped.getInteger("best_epoch")
          : stats.getJsonArray("epochs", new JsonArray()).size();
    }
  }

  /**
   * One fit: examples are the watches with {@code from <= ts < to}, {@code epochs} passes over
   * them, starting from {@code warmStart}'s blocks (null: freshly initialised ones). With a {@code
   * validation} and more than one epoch, epochs are chosen by early stopping: after each epoch the
   * model is scored on it, training stops after {@link #PATIENCE} epoch(s) without a new best, and
   * the best epoch's weights are kept ({@code stats.early_stopping}).
   */
  record Fit(
      String name,
      long from,
      long to,
      int epochs,
      Result warmStart,
      NextWatchValidation validation) {
    /** Without early stopping: exactly {@code epochs} passes. */
    Fit(String name, long from, long to, int epochs, Result warmStart) {
      this(name, from, to, epochs, warmStart, null);
    }
  }

  /** Epochs without a better validation score before a fit with validation stops. */
  static final int PATIENCE = 1;

  private CandidateTrainer() {}

  static Result train(
      NDManager manager,
      EncodedUsers users,
      FeatureEncoder encoder,
      ModelShapes shapes,
      long cutoff,
      TrainOptions options) {
    return train(manager, users, encoder, shapes, cutoff, options, ModelVariant.standard());
  }

  /** Every watch before the cutoff, from scratch (the single-fit form). */
  static Result train(
      NDManager manager,
      EncodedUsers users,
      FeatureEncoder encoder,
      ModelShapes shapes,
      long cutoff,
      TrainOptions options,
      ModelVariant variant) {
    return train(
        manager,
        users,
        encoder,
        shapes,
        new Fit("candidate", Long.MIN_VALUE, cutoff, options.epochs(), null),
        options,
        variant,
        null,
        null);
  }

  /** Examples a fit of [from, to) has (per-user cap applied). */
  static int countExamples(Timeline t, long from, long to, TrainOptions options) {
    int cap = options.maxExamplesPerUser() > 0 ? options.maxExamplesPerUser() : Integer.MAX_VALUE;
    long n = 0;
    for (int u = 0; u < t.users(); u++) {
      n += Math.min(cap, t.watchesBefore(u, to) - t.watchesBefore(u, from));
    }
    return (int) Math.min(Integer.MAX_VALUE, n);
  }

  /**
   * @param run the whole run's progress (null: none); {@code phase} is this fit's planned phase
   */
  static Result train(
      NDManager manager,
      EncodedUsers users,
      FeatureEncoder encoder,
      ModelShapes shapes,
      Fit fit,
      TrainOptions options,
      ModelVariant variant,
      RunProgress run,
      RunProgress.Phase phase) {
    Timeline t = users.timeline;
    // Examples: (user, history end) for every watch in the window; with a per-user cap, only
    // each user's most recent watches in it. The history ends at the first watch of the same
    // second: serving never sees a watch of the request's own second.
    int cap = options.maxExamplesPerUser() > 0 ? options.maxExamplesPerUser() : Integer.MAX_VALUE;
    int n = countExamples(t, fit.from(), fit.to(), options);
    if (n == 0) {
      throw new IllegalArgumentException(
          "no watches in [" + fit.from() + ", " + fit.to() + "): nothing to train on");
    }
    int[] exUser = new int[n];
    int[] exWatch = new int[n];
    int[] exHistoryEnd = new int[n];
    int[] videoCounts = new int[shapes.videos()];
    int sameSecond = 0; // examples whose earlier watches of the same second are cut off
    int k = 0;
    for (int u = 0; u < t.users(); u++) {
      int begin = t.watchesBefore(u, fit.from());
      int end = t.watchesBefore(u, fit.to());
      for (int w = Math.max(begin, end - cap); w < end; w++) {
        exUser[k] = u;
        exWatch[k] = w;
        exHistoryEnd[k] = t.watchesBefore(u, t.watchTs[u][w]);
        sameSecond += exHistoryEnd[k] < w ? 1 : 0;
        videoCounts[t.watchVideo[u][w]]++;
        k++;
      }
    }
    long cutoff = fit.to(); // example age is measured from the end of the window

    UserTowerBlock tower;
    SoftmaxBlock softmax;
    CandidateStep optimizer;
    if (fit.warmStart() != null) {
      // Continue the same blocks with the same optimizer state (row moments, side tables).
      tower = fit.warmStart().tower();
      softmax = fit.warmStart().softmax();
      optimizer = fit.warmStart().optimizer();
    } else {
      tower = new UserTowerBlock(shapes);
      tower.initialize(manager, DataType.FLOAT32, UserTowerBlock.inputShapes(options.batchSize()));
      softmax = new SoftmaxBlock(shapes.videos(), shapes.dims());
      softmax.initialize(
          manager,
          DataType.FLOAT32,
          new ai.djl.ndarray.types.Shape(1, shapes.dims()),
          new ai.djl.ndarray.types.Shape(1));
      UploadFeatures features =
          variant.uploadFeatures() ? UploadFeatures.of(t.data().videos()) : UploadFeatures.none();
      optimizer = new CandidateStep(manager, tower, softmax, features, options.learningRate());
    }

    int negatives = Math.min(options.negatives(), shapes.videos());
    UnigramSampler sampler = new UnigramSampler(videoCounts, options.seed());
    SplittableRandom shuffle = new SplittableRandom(options.seed() + 1);
    int batch = options.batchSize();
    UserInputs inputs = new UserInputs(batch);
    long[] positives = new long[batch];
    float[] positiveLogQ = new float[batch];
    long[] sampled = new long[negatives];
    float[] sampledLogQ = new float[negatives];
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }

    JsonArray epochs = new JsonArray();
    long started = System.nanoTime();
    int passes = fit.epochs();
    if (run != null && phase != null) {
      run.start(phase);
    }
    EarlyStopping stopping =
        fit.validation() != null && passes > 1 ? new EarlyStopping(PATIENCE) : null;
    CandidateStep.Snapshot best = null;
    for (int epoch = 1; epoch <= passes; epoch++) {
      shuffle(order, shuffle);
      long epochStart = System.nanoTime();
      double lossSum = 0;
      int steps = 0;
      Progress progress =
          new Progress(
              fit.name() + " epoch " + epoch + "/" + passes, n, run, phase, (long) (epoch - 1) * n);
      for (int from = 0; from < n; from += batch) {
        int rows = Math.min(batch, n - from);
        progress.update(from);
        for (int r = 0; r < rows; r++) {
          int e = order[from + r];
          int u = exUser[e];
          int w = exWatch[e];
          long ts = t.watchTs[u][w];
          float age = variant.exampleAge() ? cutoff - ts : 0f;
          users.encode(encoder, u, exHistoryEnd[e], ts, age, inputs, r);
          positives[r] = t.watchVideo[u][w];
          positiveLogQ[r] = sampler.logExpectedCount((int) positives[r], negatives);
        }
        sampler.sample(sampled);
        for (int s = 0; s < negatives; s++) {
          sampledLogQ[s] = sampler.logExpectedCount((int) sampled[s], negatives);
        }
        try (NDManager step = manager.newSubManager()) {
          lossSum +=
              optimizer.step(step, inputs, rows, positives, positiveLogQ, sampled, sampledLogQ);
        }
        steps++;
        if (steps % 100 == 0) {
          // Large worlds take minutes per epoch: say how far along it is.
          log.info(
              "{} epoch {}: step {}/{} ({} s)",
              fit.name(),
              epoch,
              steps,
              (n + batch - 1) / batch,
              (System.nanoTime() - epochStart) / 1_000_000_000L);
        }
      }
      double seconds = (System.nanoTime() - epochStart) / 1e9;
      double meanLoss = lossSum / steps;
      progress.finish(String.format("loss %.4f", meanLoss));
      log.info(
          "{} epoch {}/{}: {} examples, {} ex/s, sampled-softmax loss {}",
          fit.name(),
          epoch,
          passes,
          n,
          String.format("%.0f", n / seconds),
          String.format("%.4f", meanLoss));
      epochs.add(
          new JsonObject()
              .put("epoch", epoch)
              .put("loss", round(meanLoss))
              .put("seconds", round(seconds))
              .put("examples_per_s", Math.round(n / seconds)));
      if (stopping != null) {
        optimizer.fold(); // validation reads the plain tables; the sums, so training, are unchanged
        long validationStart = System.nanoTime();
        double recall = fit.validation().recall(manager, tower, softmax);
        boolean improved = stopping.record(recall);
        log.info(
            "{} epoch {}: validation recall@{} {} ({} users, {} s){}",
            fit.name(),
            epoch,
            NextWatchValidation.AT,
            String.format("%.4f", recall),
            fit.validation().users(),
            String.format("%.1f", (System.nanoTime() - validationStart) / 1e9),
            improved ? ", best so far" : "");
        if (stopping.shouldStop()) {
          break;
        }
        if (improved && epoch < passes) {
          if (best != null) {
            best.close();
          }
          best = optimizer.snapshot();
        }
      }
    }
    if (stopping != null && stopping.bestEpoch() < stopping.epochs()) {
      best.restore();
      log.info(
          "{}: early stopping after epoch {}, keeping epoch {} (validation recall@{} {})",
          fit.name(),
          stopping.epochs(),
          stopping.bestEpoch(),
          NextWatchValidation.AT,
          String.format("%.4f", stopping.bestScore()));
    }
    if (best != null) {
      best.close();
    }
    optimizer.fold();
    if (run != null && phase != null) {
      run.resize(phase, (long) n * epochs.size()); // early stopping may have run fewer
      run.finish(phase);
    }
    double total = (System.nanoTime() - started) / 1e9;
    JsonObject stats =
        new JsonObject()
            .put("window", window(fit.from(), fit.to()))
            .put("warm_start", fit.warmStart() != null)
            .put("examples", n)
            .put("upload_features", new JsonArray(java.util.List.of(optimizer.features().names())))
            .put("same_second_examples", sameSecond)
            .put("negatives", negatives)
            .put("epochs", epochs)
            .put("seconds", round(total))
            .put("examples_per_s", Math.round((double) n * epochs.size() / total));
    if (stopping != null) {
      stats.put(
          "early_stopping",
          stopping
              .toJson()
              .put("max_epochs", passes)
              .put("metric", "recall@" + NextWatchValidation.AT + " of the next new watch")
              .put("validation_window", fit.validation().window())
              .put("validation_users", fit.validation().users()));
    }
    return new Result(tower, softmax, optimizer, stats);
  }

  /** {"from_ts", "to_ts"} of a window; an unbounded start is left out. */
  static JsonObject window(long from, long to) {
    JsonObject j = new JsonObject();
    if (from != Long.MIN_VALUE) {
      j.put("from_ts", from);
    }
    return j.put("to_ts", to);
  }

  static void shuffle(int[] a, SplittableRandom rnd) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
    }
  }

  static double round(double x) {
    return Math.round(x * 10000) / 10000.0;
  }
}
