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
 * Trains the candidate model: one example per watch before the cutoff, whose label is that watch
 * and whose input is the user as they were just before it (history and searches strictly earlier,
 * example age = cutoff − watch time). Loss: sampled softmax with logQ correction, Adam.
 */
final class CandidateTrainer {
  private static final Logger log = LoggerFactory.getLogger(CandidateTrainer.class);

  /** The trained blocks (arrays in the caller's manager) and what the run measured. */
  record Result(UserTowerBlock tower, SoftmaxBlock softmax, JsonObject stats) {}

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

  static Result train(
      NDManager manager,
      EncodedUsers users,
      FeatureEncoder encoder,
      ModelShapes shapes,
      long cutoff,
      TrainOptions options,
      ModelVariant variant) {
    Timeline t = users.timeline;
    // Examples: (user, index of the watch) for every watch before the cutoff.
    // With a per-user cap, only each user's most recent watches before the cutoff.
    int cap = options.maxExamplesPerUser() > 0 ? options.maxExamplesPerUser() : Integer.MAX_VALUE;
    int n = 0;
    for (int u = 0; u < t.users(); u++) {
      n += Math.min(cap, t.watchesBefore(u, cutoff));
    }
    if (n == 0) {
      throw new IllegalArgumentException("no watches before the cutoff: nothing to train on");
    }
    int[] exUser = new int[n];
    int[] exWatch = new int[n];
    int[] videoCounts = new int[shapes.videos()];
    int k = 0;
    for (int u = 0; u < t.users(); u++) {
      int end = t.watchesBefore(u, cutoff);
      for (int w = Math.max(0, end - cap); w < end; w++) {
        exUser[k] = u;
        exWatch[k] = w;
        videoCounts[t.watchVideo[u][w]]++;
        k++;
      }
    }

    UserTowerBlock tower = new UserTowerBlock(shapes);
    tower.initialize(manager, DataType.FLOAT32, UserTowerBlock.inputShapes(options.batchSize()));
    SoftmaxBlock softmax = new SoftmaxBlock(shapes.videos(), shapes.dims());
    softmax.initialize(
        manager,
        DataType.FLOAT32,
        new ai.djl.ndarray.types.Shape(1, shapes.dims()),
        new ai.djl.ndarray.types.Shape(1));
    UploadFeatures features =
        variant.uploadFeatures() ? UploadFeatures.of(t.data().videos()) : UploadFeatures.none();
    CandidateStep optimizer =
        new CandidateStep(manager, tower, softmax, features, options.learningRate());

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
    for (int epoch = 1; epoch <= options.epochs(); epoch++) {
      shuffle(order, shuffle);
      long epochStart = System.nanoTime();
      double lossSum = 0;
      int steps = 0;
      Progress progress = new Progress("candidate epoch " + epoch + "/" + options.epochs(), n);
      for (int from = 0; from < n; from += batch) {
        int rows = Math.min(batch, n - from);
        progress.update(from);
        for (int r = 0; r < rows; r++) {
          int e = order[from + r];
          int u = exUser[e];
          int w = exWatch[e];
          long ts = t.watchTs[u][w];
          users.encode(encoder, u, w, ts, variant.exampleAge() ? cutoff - ts : 0f, inputs, r);
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
              "candidate epoch {}: step {}/{} ({} s)",
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
          "candidate epoch {}/{}: {} examples, {} ex/s, sampled-softmax loss {}",
          epoch,
          options.epochs(),
          n,
          String.format("%.0f", n / seconds),
          String.format("%.4f", meanLoss));
      epochs.add(
          new JsonObject()
              .put("epoch", epoch)
              .put("loss", round(meanLoss))
              .put("seconds", round(seconds))
              .put("examples_per_s", Math.round(n / seconds)));
    }
    optimizer.fold();
    double total = (System.nanoTime() - started) / 1e9;
    JsonObject stats =
        new JsonObject()
            .put("examples", n)
            .put("upload_features", new JsonArray(java.util.List.of(features.names())))
            .put("negatives", negatives)
            .put("epochs", epochs)
            .put("seconds", round(total))
            .put("examples_per_s", Math.round((double) n * options.epochs() / total));
    return new Result(tower, softmax, stats);
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
