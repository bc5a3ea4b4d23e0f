package dev.funnel.cli;

import dev.funnel.data.Dataset;
import dev.funnel.data.DatasetFormatException;
import dev.funnel.models.ModelBundle;
import dev.funnel.pipeline.WatchNext;
import dev.funnel.quality.WatchNextEvaluation;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./funnel watch-next}: replays watch-next on a dataset's watches with a trained model and
 * prints JSON: the validation grid (pairs before the model's cutoff) with the setting it chooses,
 * then the test figures (pairs after the cutoff) for the chosen and the built-in settings.
 */
@Command(
    name = "watch-next",
    mixinStandardHelpOptions = true,
    description =
        "Measure watch-next (GET /v1/videos/{id}/related): next-watch HitRate@N of the related"
            + " route, the home feed and item-to-item, and the overlap of related with the home"
            + " feed; settings chosen on watches before the model's cutoff, figures on the"
            + " held-out tail. JSON on stdout.")
public final class WatchNextCommand implements Callable<Integer> {
  @Option(names = "--data", required = true, paramLabel = "DIR", description = "Dataset directory.")
  Path data;

  @Option(
      names = "--models",
      paramLabel = "MODELDIR",
      defaultValue = "models",
      description =
          "A models root (uses LATEST) or one version directory (default: ${DEFAULT-VALUE}).")
  Path models;

  @Option(
      names = "--users",
      paramLabel = "N",
      defaultValue = "1000",
      description = "Users replayed per side, one pair each (default: ${DEFAULT-VALUE}).")
  int users;

  @Option(
      names = "--validation-users",
      paramLabel = "N",
      defaultValue = "400",
      description = "Users for the validation grid (default: ${DEFAULT-VALUE}).")
  int validationUsers;

  @Option(
      names = "--max-overlap",
      paramLabel = "X",
      defaultValue = "10",
      description =
          "The grid picks the best HitRate among settings whose probe overlap with the home feed"
              + " is at most X of 20 (default: ${DEFAULT-VALUE}).")
  double maxOverlap;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "1",
      description = "Sampling seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--no-grid",
      description = "Skip the validation grid; measure the built-in setting only.")
  boolean noGrid;

  @Option(
      names = "--variety",
      description =
          "Measure the home feed's topic cap (serving.max-per-topic) instead: HitRate@20 and"
              + " topics per list for each cap on validation pairs, the cap chosen there, then"
              + " the chosen cap and no cap on test pairs.")
  boolean variety;

  @Option(
      names = "--max-loss",
      paramLabel = "X",
      defaultValue = "0.05",
      description =
          "With --variety: the smallest cap whose validation HitRate is at least (1 - X) times"
              + " the uncapped one is chosen (default: ${DEFAULT-VALUE}).")
  double maxLoss;

  @Option(
      names = "--min-topics",
      paramLabel = "T",
      defaultValue = "0",
      description =
          "With --variety: choose instead the largest cap (the least accuracy lost) whose"
              + " validation lists hold at least T topics on average; 0 = use --max-loss"
              + " (default: ${DEFAULT-VALUE}).")
  double minTopics;

  /** The caps --variety tries; 0 = no cap. */
  static final int[] CAPS = {0, 1, 2, 3, 4, 5, 6, 8, 10};

  @Override
  public Integer call() {
    try {
      Dataset dataset = TrainCommand.readDataset(data);
      try (ModelBundle bundle = ModelBundle.load(models)) {
        long cutoff = WatchNextEvaluation.cutoffOf(bundle);
        JsonObject out = new JsonObject().put("model", bundle.version()).put("cutoff_ts", cutoff);
        if (variety) {
          System.out.println(variety(dataset, bundle, cutoff, out).encodePrettily());
          return 0;
        }
        WatchNext.Params chosen = WatchNext.Params.DEFAULT;
        if (!noGrid) {
          WatchNextEvaluation validation =
              new WatchNextEvaluation(
                  dataset,
                  bundle,
                  cutoff,
                  new WatchNextEvaluation.Options(validationUsers, 20, seed));
          try {
            JsonObject grid = validation.choose(grid(), maxOverlap);
            out.put("validation", grid);
            JsonObject c = grid.getJsonObject("chosen");
            chosen =
                new WatchNext.Params(
                    c.getFloat("alpha"),
                    c.getInteger("neighbours"),
                    c.getFloat("similarity"),
                    WatchNext.ItemVector.valueOf(c.getString("item")));
          } finally {
            validation.close();
          }
        }
        WatchNextEvaluation test =
            new WatchNextEvaluation(
                dataset, bundle, cutoff, new WatchNextEvaluation.Options(users, 20, seed));
        try {
          out.put("test_chosen", test.evaluate(WatchNextEvaluation.Side.TEST, chosen));
          if (!chosen.equals(WatchNext.Params.DEFAULT)) {
            out.put(
                "test_default",
                test.evaluate(WatchNextEvaluation.Side.TEST, WatchNext.Params.DEFAULT));
          }
        } finally {
          test.close();
        }
        System.out.println(out.encodePrettily());
      }
      return 0;
    } catch (IllegalArgumentException | DatasetFormatException | IOException e) {
      System.err.println("funnel watch-next: " + TrainCommand.message(e));
      return 1;
    }
  }

  private JsonObject variety(Dataset dataset, ModelBundle bundle, long cutoff, JsonObject out) {
    WatchNextEvaluation validation =
        new WatchNextEvaluation(
            dataset, bundle, cutoff, new WatchNextEvaluation.Options(validationUsers, 20, seed));
    int chosen;
    try {
      JsonObject grid = validation.variety(WatchNextEvaluation.Side.VALIDATION, CAPS);
      int byLoss = WatchNextEvaluation.chooseCap(grid, maxLoss);
      int byTopics = WatchNextEvaluation.capForTopics(grid, minTopics);
      chosen = minTopics > 0 ? byTopics : byLoss;
      out.put(
          "validation",
          grid.put("max_loss", maxLoss)
              .put("chosen_by_max_loss", byLoss)
              .put("min_topics", minTopics)
              .put("chosen_by_min_topics", byTopics)
              .put("chosen", chosen));
    } finally {
      validation.close();
    }
    WatchNextEvaluation test =
        new WatchNextEvaluation(
            dataset, bundle, cutoff, new WatchNextEvaluation.Options(users, 20, seed));
    try {
      out.put(
          "test",
          test.variety(
              WatchNextEvaluation.Side.TEST,
              new int[] {0, chosen, WatchNextEvaluation.servedMaxPerTopic()}));
    } finally {
      test.close();
    }
    return out;
  }

  /**
   * The validation grid: item vector × α × β without extra neighbours, and the neighbours at one
   * middle setting (on the tiny world they only lowered HitRate; kept to re-check on each world).
   */
  static List<WatchNext.Params> grid() {
    List<WatchNext.Params> grid = new ArrayList<>();
    for (WatchNext.ItemVector item : WatchNext.ItemVector.values()) {
      for (float alpha : new float[] {0.5f, 0.75f, 0.9f}) {
        for (float similarity : new float[] {0f, 1f, 3f}) {
          grid.add(new WatchNext.Params(alpha, 0, similarity, item));
        }
      }
      grid.add(new WatchNext.Params(0.75f, 100, 1f, item));
    }
    return grid;
  }
}
