package dev.funnel.cli;

import dev.funnel.data.Dataset;
import dev.funnel.data.ProfileSnapshots;
import dev.funnel.features.UserProfile;
import dev.funnel.models.ModelBundle;
import dev.funnel.models.UserTower;
import dev.funnel.retrieval.ExactIndex;
import dev.funnel.retrieval.GraphIndex;
import dev.funnel.retrieval.IndexRecall;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./funnel build-index}: builds the ANN graph of a model version and persists it in {@code
 * models/<version>/index/}, so that the server loads it in seconds instead of building it. With
 * {@code --data} it also measures recall@K against the exact index on real user vectors (the user
 * tower over the dataset's latest profiles) and records it beside the graph.
 */
@Command(
    name = "build-index",
    mixinStandardHelpOptions = true,
    description =
        "Build the approximate (jvector graph) index of a model version into"
            + " MODELDIR/<version>/index/, and measure its recall against the exact index.")
public final class BuildIndexCommand implements Callable<Integer> {
  @Option(
      names = "--models",
      paramLabel = "MODELDIR",
      defaultValue = "models",
      description = "Model version directory or models root with LATEST.")
  Path models;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description = "Dataset whose users' vectors are the recall queries (optional).")
  Path data;

  @Option(names = "--max-degree", defaultValue = "32", description = "Graph degree.")
  int maxDegree;

  @Option(names = "--build-beam", defaultValue = "100", description = "Build beam.")
  int buildBeam;

  @Option(
      names = "--search-beam",
      defaultValue = "350",
      description = "Default search beam saved with the graph.")
  int searchBeam;

  @Option(names = "--alpha", defaultValue = "1.2", description = "Diversity alpha.")
  float alpha;

  @Option(
      names = "--refine",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Second pass improving every node's edges (default on; --no-refine halves the build).")
  boolean refine;

  @Option(
      names = "--pq-subspaces",
      defaultValue = "0",
      description =
          "Product-quantisation subspaces scoring the graph walk (each video's codes take one"
              + " byte per subspace; the best --search-beam are then reranked exactly). 0 = walk"
              + " on the exact rows (default: faster here once warm, docs/benchmarks.md), -1 ="
              + " one per two row dimensions.")
  int pqSubspaces;

  @Option(names = "--queries", defaultValue = "1000", description = "Recall queries (users).")
  int queries;

  @Option(names = "-k", defaultValue = "300", description = "K for recall@K.")
  int k;

  @Option(
      names = "--recall-only",
      description =
          "Do not build: measure the persisted graph's recall (needs --data) at --search-beam.")
  boolean recallOnly;

  @Override
  public Integer call() {
    try (ModelBundle bundle = ModelBundle.load(models)) {
      if (recallOnly) {
        if (data == null) {
          System.err.println("funnel build-index: --recall-only needs --data");
          return 2;
        }
        GraphIndex graph =
            GraphIndex.load(
                bundle.directory(),
                bundle.videoVectors(),
                bundle.videoBias(),
                bundle.dims(),
                searchBeam);
        List<float[]> vectors = userVectors(bundle, Dataset.read(data), queries);
        ExactIndex exact =
            ExactIndex.build(bundle.videoVectors(), bundle.videoBias(), bundle.dims());
        System.out.println(recallJson(IndexRecall.measure(exact, graph, vectors, k, searchBeam)));
        return 0;
      }
      GraphIndex.Params params =
          new GraphIndex.Params(maxDegree, buildBeam, alpha, 1.2f, searchBeam, refine, pqSubspaces);
      JsonObject report =
          build(bundle, params, data == null ? null : Dataset.read(data), queries, k);
      System.out.println(report.encodePrettily());
      return 0;
    } catch (Exception e) {
      System.err.println("funnel build-index: " + TrainCommand.message(e));
      return 1;
    }
  }

  /** Builds, measures (when {@code data} is given) and saves the graph; returns the report. */
  static JsonObject build(
      ModelBundle bundle, GraphIndex.Params params, Dataset data, int queries, int k)
      throws Exception {
    long t0 = System.nanoTime();
    System.err.printf(
        "funnel build-index: building a graph over %d videos (degree %d, beam %d, PQ %s)...%n",
        bundle.catalog().size(),
        params.maxDegree(),
        params.buildBeam(),
        params.pqSubspaces() == GraphIndex.Params.AUTO_PQ ? "auto" : params.pqSubspaces());
    GraphIndex graph =
        GraphIndex.build(bundle.videoVectors(), bundle.videoBias(), bundle.dims(), params);
    double buildSeconds = (System.nanoTime() - t0) / 1e9;
    JsonObject extra =
        new JsonObject()
            .put("model", bundle.version())
            .put("build_seconds", Math.round(buildSeconds * 10) / 10.0);
    if (data != null) {
      List<float[]> vectors = userVectors(bundle, data, queries);
      ExactIndex exact = ExactIndex.build(bundle.videoVectors(), bundle.videoBias(), bundle.dims());
      IndexRecall.Result r = IndexRecall.measure(exact, graph, vectors, k, params.searchBeam());
      extra.put("recall", recallJson(r));
    }
    graph.save(bundle.directory(), extra);
    graph.close();
    return extra.put("index", bundle.directory().resolve(GraphIndex.DIR).toString());
  }

  static JsonObject recallJson(IndexRecall.Result r) {
    return new JsonObject()
        .put("queries", r.queries())
        .put("k", r.k())
        .put("beam", r.beam())
        .put("mean", r.recall())
        .put("min", r.minRecall())
        .put("median_ann_us", r.medianAnnMicros())
        .put("median_exact_us", r.medianExactMicros());
  }

  /** User vectors of the first {@code n} users' latest profiles (the real query distribution). */
  static List<float[]> userVectors(ModelBundle bundle, Dataset dataset, int n) {
    List<UserProfile> profiles = ProfileSnapshots.latest(dataset);
    List<float[]> out = new ArrayList<>(Math.min(n, profiles.size()));
    long now = bundle.dataEndTs();
    try (UserTower tower = bundle.newUserTower()) {
      int step = Math.max(1, profiles.size() / Math.max(1, n));
      for (int i = 0; i < profiles.size() && out.size() < n; i += step) {
        out.add(tower.userVector(profiles.get(i), now));
      }
    }
    return out;
  }
}
