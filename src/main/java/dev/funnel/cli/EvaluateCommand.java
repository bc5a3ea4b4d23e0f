package dev.funnel.cli;

import dev.funnel.data.Dataset;
import dev.funnel.data.DatasetFormatException;
import dev.funnel.models.ModelBundle;
import dev.funnel.quality.ReliabilityChart;
import dev.funnel.train.Evaluator;
import dev.funnel.train.ModelTrainer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./funnel evaluate}: offline metrics of a model version, as JSON on stdout. */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description =
        "Evaluate a model version on a dataset (the test side of the training cutoff) and print"
            + " the metrics as JSON.")
public final class EvaluateCommand implements Callable<Integer> {
  @Option(
      names = "--data",
      paramLabel = "DIR",
      description = "Dataset directory (required unless --held-out).")
  Path data;

  @Option(
      names = "--models",
      paramLabel = "MODELDIR",
      defaultValue = "models",
      description = "A models root (uses LATEST) or one version directory.")
  Path models;

  @Option(
      names = "--reliability-chart",
      paramLabel = "PNG",
      description =
          "Also draw the ranker's reliability chart (mean predicted vs actual watch seconds per"
              + " decile of its score) into this PNG file.")
  Path reliabilityChart;

  @Option(
      names = "--held-out",
      description =
          "Print and chart the held-out figures the trainer recorded in model.json (the model"
              + " evaluated before it was continued on the tail) instead of evaluating again;"
              + " --data is then not read.")
  boolean heldOut;

  @Override
  public Integer call() {
    try {
      if (heldOut) {
        try (ModelBundle bundle = ModelBundle.load(models)) {
          JsonObject metrics = bundle.manifest().getJsonObject("metrics");
          if (metrics == null) {
            System.err.println("funnel evaluate: " + bundle.version() + " records no metrics");
            return 1;
          }
          System.out.println(metrics.encodePrettily());
          JsonArray reliability =
              metrics.getJsonObject("ranker", new JsonObject()).getJsonArray("reliability");
          if (reliabilityChart != null && reliability != null) {
            ReliabilityChart.write(
                reliability,
                "Ranker reliability (held out), " + bundle.version(),
                reliabilityChart);
          }
        }
        return 0;
      }
      if (data == null) {
        System.err.println("funnel evaluate: --data DIR is required (or --held-out)");
        return 2;
      }
      Dataset dataset = TrainCommand.readDataset(data);
      try (ModelBundle bundle = ModelBundle.load(models)) {
        if (ModelTrainer.trainedPastCutoff(bundle.manifest())) {
          System.err.println(
              "funnel evaluate: note: this version was continued on the events after its cutoff"
                  + " before publishing, so these figures are in-sample; the held-out figures are"
                  + " in its model.json (metrics)");
        }
        JsonObject metrics = Evaluator.evaluate(dataset, bundle);
        System.out.println(metrics.encodePrettily());
        JsonArray reliability = metrics.getJsonObject("ranker").getJsonArray("reliability");
        if (reliabilityChart != null && reliability != null) {
          ReliabilityChart.write(
              reliability, "Ranker reliability, " + bundle.version(), reliabilityChart);
        } else if (reliabilityChart != null) {
          System.err.println("funnel evaluate: no ranker metrics (no impressions), no chart");
        }
      }
      return 0;
    } catch (IllegalArgumentException | DatasetFormatException | IOException e) {
      System.err.println("funnel evaluate: " + TrainCommand.message(e));
      return 1;
    }
  }
}
