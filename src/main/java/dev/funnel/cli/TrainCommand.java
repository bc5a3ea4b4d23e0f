package dev.funnel.cli;

import dev.funnel.data.Dataset;
import dev.funnel.retrieval.GraphIndex;
import dev.funnel.train.ModelTrainer;
import dev.funnel.train.TrainOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./funnel train}: both models from a dataset directory into a new model version. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description =
        "Train the candidate and ranking models on a dataset, evaluate them on the held-out"
            + " tail, and write MODELDIR/<version>/ (then MODELDIR/LATEST).")
public final class TrainCommand implements Callable<Integer> {
  @Option(names = "--data", required = true, paramLabel = "DIR", description = "Dataset directory.")
  Path data;

  @Option(
      names = "--out",
      paramLabel = "MODELDIR",
      defaultValue = "models",
      description = "Models root.")
  Path out;

  @Option(
      names = "--epochs",
      paramLabel = "N",
      description = "Candidate-model epochs (default 6; --fast 4).")
  Integer epochs;

  @Option(
      names = "--ranker-epochs",
      paramLabel = "N",
      description = "Ranker epochs (default 3; --fast 2).")
  Integer rankerEpochs;

  @Option(
      names = "--negatives",
      paramLabel = "N",
      description = "Sampled-softmax negatives (default 2048; --fast 512).")
  Integer negatives;

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      description = "Candidate-model batch size (default 512; --fast 256).")
  Integer batchSize;

  @Option(names = "--seed", paramLabel = "S", description = "Random seed (default 42).")
  Long seed;

  @Option(
      names = "--cutoff-quantile",
      paramLabel = "Q",
      description = "Train on watches before this quantile of watch times (default 0.9).")
  Double cutoffQuantile;

  @Option(
      names = "--max-examples-per-user",
      paramLabel = "N",
      description =
          "Candidate examples per user: the most recent N watches before the cutoff (0 = all;"
              + " default all). Use ~10 at RW-1M.")
  Integer maxExamplesPerUser;

  @Option(
      names = "--ranker-quantile",
      paramLabel = "Q",
      description =
          "Out-of-sample split: the candidate model that scores the ranker's examples is fitted"
              + " before this quantile of watch times, the ranker trains between it and the cutoff"
              + " (default 0.8).")
  Double rankerQuantile;

  @Option(
      names = "--ranker-batch-size",
      paramLabel = "N",
      description = "Ranker batch size (default 1024; --fast 512).")
  Integer rankerBatchSize;

  @Option(
      names = "--max-ranker-examples",
      paramLabel = "N",
      description = "Cap on ranker training impressions (default 400000; --fast 50000).")
  Integer maxRankerExamples;

  @Option(
      names = "--index",
      paramLabel = "auto|ann|none",
      defaultValue = "auto",
      description =
          "Build the ANN graph into the new version: auto = when it has >= 50000 videos"
              + " (default), ann = always, none = never (./funnel build-index does it later).")
  String index;

  @Option(
      names = "--order",
      paramLabel = "auto|ranker|retrieval",
      defaultValue = "auto",
      description =
          "How serving orders retrieval's top 300 for the home feed, recorded in model.json"
              + " (serving.order): auto = chosen on the ranker window's held-out users (retrieval's"
              + " order when its HitRate@50 and watch-seconds share are both higher), ranker or"
              + " retrieval = forced.")
  String order;

  @Option(names = "--fast", description = "Small, quick settings (tests, tiny datasets).")
  boolean fast;

  @Override
  public Integer call() {
    try {
      TrainOptions o = fast ? TrainOptions.fast() : TrainOptions.defaults();
      o =
          new TrainOptions(
              epochs != null ? epochs : o.epochs(),
              rankerEpochs != null ? rankerEpochs : o.rankerEpochs(),
              batchSize != null ? batchSize : o.batchSize(),
              negatives != null ? negatives : o.negatives(),
              o.learningRate(),
              rankerBatchSize != null ? rankerBatchSize : o.rankerBatchSize(),
              o.rankerLearningRate(),
              cutoffQuantile != null ? cutoffQuantile : o.cutoffQuantile(),
              maxRankerExamples != null ? maxRankerExamples : o.maxRankerExamples(),
              o.maxTokens(),
              o.popularWindowDays(),
              seed != null ? seed : o.seed(),
              maxExamplesPerUser != null ? maxExamplesPerUser : o.maxExamplesPerUser(),
              rankerQuantile != null ? rankerQuantile : o.rankerQuantile(),
              TrainOptions.Order.parse(order));
      if (!index.equals("auto") && !index.equals("ann") && !index.equals("none")) {
        return fail("--index must be auto, ann or none, got " + index);
      }
      Dataset dataset = readDataset(data);
      if (Files.exists(out) && !Files.isDirectory(out)) {
        return fail("--out " + out + " is not a directory");
      }
      Path version = ModelTrainer.train(dataset, out, o);
      int videos = dataset.videos().size();
      if (index.equals("ann") || (index.equals("auto") && videos >= 50_000)) {
        try (dev.funnel.models.ModelBundle bundle = dev.funnel.models.ModelBundle.load(version)) {
          System.err.println(
              BuildIndexCommand.build(bundle, GraphIndex.Params.defaults(), dataset, 1000, 300)
                  .encodePrettily());
        }
      }
      System.err.println(servingOrderLine(version));
      System.out.println(version);
      return 0;
    } catch (Exception e) {
      return fail(message(e));
    }
  }

  /** "serving order: X (why)", from the version's model.json. */
  static String servingOrderLine(Path version) throws IOException {
    io.vertx.core.json.JsonObject manifest =
        new io.vertx.core.json.JsonObject(
            Files.readString(version.resolve(dev.funnel.models.BundleFiles.MANIFEST)));
    io.vertx.core.json.JsonObject choice =
        manifest
            .getJsonObject("training", new io.vertx.core.json.JsonObject())
            .getJsonObject("order_choice", new io.vertx.core.json.JsonObject());
    return "serving order: "
        + dev.funnel.models.ServingOrder.of(manifest).label()
        + " ("
        + choice.getString("reason", "not recorded")
        + ")";
  }

  static Dataset readDataset(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(dir.toString(), null, "no such dataset directory");
    }
    return Dataset.read(dir);
  }

  static String message(Exception e) {
    if (e instanceof NoSuchFileException n) {
      return (n.getReason() != null ? n.getReason() : "no such file") + ": " + n.getFile();
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  private static int fail(String message) {
    System.err.println("funnel train: " + message);
    return 1;
  }
}
