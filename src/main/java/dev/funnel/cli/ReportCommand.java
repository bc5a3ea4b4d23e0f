package dev.funnel.cli;

import dev.funnel.data.DatasetFormatException;
import dev.funnel.quality.QualityReport;
import dev.funnel.quality.ReportRenderer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./funnel report}: runs (or reads from its cache) the quality evaluations and regenerates
 * {@code docs/quality.md} with its PNG charts.
 */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description =
        "Evaluate recommendation quality (MovieLens leave-last-out table against baselines, and"
            + " the paper's ablations on a synthetic world) and regenerate docs/quality.md and its"
            + " charts. Results are cached as JSON under --work; a rerun only renders.")
public final class ReportCommand implements Callable<Integer> {
  @Option(
      names = "--movielens",
      paramLabel = "DIR",
      defaultValue = "${env:FUNNEL_MOVIELENS_DIR}",
      description =
          "MovieLens ml-latest-small folder, downloaded from grouplens.org (README: MovieLens;"
              + " default: $FUNNEL_MOVIELENS_DIR, now ${DEFAULT-VALUE}).")
  Path movielens;

  @Option(
      names = "--work",
      paramLabel = "DIR",
      defaultValue = "work/report",
      description = "Cache of datasets, models and result JSON.")
  Path work;

  @Option(
      names = "--docs",
      paramLabel = "DIR",
      defaultValue = "docs",
      description = "Where quality.md and quality/*.png go.")
  Path docs;

  @Option(
      names = "--quick",
      description =
          "Smaller world (2,000 videos, 500 users) and fewer epochs: about 3 minutes instead of"
              + " about 25 on a shared 2-core machine.")
  boolean quick;

  @Option(
      names = "--unchosen-seeds",
      paramLabel = "N",
      defaultValue = "3",
      description =
          "Seeds on the test side for the MovieLens funnel configurations validation did not"
              + " choose, other than the defaults (the chosen one and the defaults always get all"
              + " 3; default: ${DEFAULT-VALUE}).")
  int unchosenSeeds;

  @Option(names = "--fresh", description = "Ignore cached results and recompute everything.")
  boolean fresh;

  @Option(names = "--skip-movielens", description = "Leave the real-data table out.")
  boolean skipMovielens;

  @Option(
      names = "--skip-ablations",
      description =
          "Leave the ablations out (the previous docs/quality.md's section is carried over,"
              + " marked as not regenerated).")
  boolean skipAblations;

  @Option(
      names = "--ablation-runs",
      split = ",",
      paramLabel = "NAME",
      description = "Only these ablation runs (e.g. standard), default all.")
  java.util.Set<String> ablationRuns;

  @Override
  public Integer call() {
    System.setProperty("java.awt.headless", "true");
    try {
      QualityReport.Plan plan = quick ? QualityReport.quick() : QualityReport.full();
      QualityReport report = new QualityReport(plan, work).withUnchosenSeeds(unchosenSeeds);
      if (fresh) {
        deleteResults(report.workDir());
      }
      if (!skipMovielens && movielens == null) {
        System.err.println(
            "funnel report: give the MovieLens ml-latest-small folder with --movielens DIR (or"
                + " FUNNEL_MOVIELENS_DIR), or leave it out with --skip-movielens");
        return 2;
      }
      JsonObject real = skipMovielens ? null : report.movielens(movielens);
      JsonObject ablations = skipAblations ? null : report.ablations(ablationRuns);
      String command =
          "./funnel report"
              + (quick ? " --quick" : "")
              + (skipAblations ? " --skip-ablations" : "")
              + (unchosenSeeds != 3 ? " --unchosen-seeds " + unchosenSeeds : "")
              + (ablationRuns != null ? " --ablation-runs " + String.join(",", ablationRuns) : "");
      Path md = ReportRenderer.render(real, ablations, plan, command, docs);
      System.out.println("wrote " + md);
      return 0;
    } catch (IllegalArgumentException | DatasetFormatException | IOException e) {
      System.err.println("funnel report: " + TrainCommand.message(e));
      return 1;
    }
  }

  private static void deleteResults(Path dir) throws IOException {
    for (String cache : new String[] {"ablations", "movielens"}) {
      Path folder = dir.resolve(cache);
      if (Files.isDirectory(folder)) {
        try (var files = Files.list(folder)) {
          for (Path p : (Iterable<Path>) files::iterator) {
            Files.delete(p);
          }
        }
      }
    }
  }
}
