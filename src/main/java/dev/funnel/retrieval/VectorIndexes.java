package dev.funnel.retrieval;

import dev.funnel.config.InferenceConfig;
import dev.funnel.models.ModelBundle;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Picks and opens the vector index of a model version, as {@code inference.index} says. */
public final class VectorIndexes {
  private static final Logger LOG = LoggerFactory.getLogger(VectorIndexes.class);

  /** {@code auto} serves from the graph only at or above this many videos. */
  public static final int AUTO_GRAPH_MIN_VIDEOS = 50_000;

  private VectorIndexes() {}

  /**
   * Opens the index for {@code bundle}: the persisted ANN graph ({@code models/<v>/index/}) or the
   * exact scan. Never builds a graph (that is {@code ./funnel build-index}'s job). Blocking.
   *
   * @throws IllegalStateException when {@code ann} is asked for and the model has no graph, or the
   *     graph cannot be read
   */
  public static VectorIndex open(ModelBundle bundle, InferenceConfig.IndexType type, int beam) {
    boolean hasGraph = GraphIndex.exists(bundle.directory());
    // Below ~50k videos the exact scan is both exact and faster than walking a graph with a
    // K = 300 beam (profiled at 2k videos: the graph search cost more than the whole ranker).
    boolean small = bundle.catalog().size() < AUTO_GRAPH_MIN_VIDEOS;
    if (type == InferenceConfig.IndexType.ANN && !hasGraph) {
      throw new IllegalStateException(
          "inference.index = ann, but "
              + bundle.directory()
              + " has no index/"
              + GraphIndex.GRAPH_FILE
              + " (run ./funnel build-index --models "
              + bundle.directory()
              + ")");
    }
    if (type == InferenceConfig.IndexType.EXACT
        || !hasGraph
        || (type == InferenceConfig.IndexType.AUTO && small)) {
      if (bundle.catalog().size() > 200_000) {
        LOG.warn(
            "exact index over {} videos: each search scans them all; build an ANN graph with"
                + " ./funnel build-index",
            bundle.catalog().size());
      }
      return VectorIndex.exact(bundle);
    }
    long t0 = System.nanoTime();
    try {
      GraphIndex g =
          GraphIndex.load(
              bundle.directory(), bundle.videoVectors(), bundle.videoBias(), bundle.dims(), beam);
      LOG.info(
          "ANN graph over {} videos loaded in {} ms (beam {}, {} walk, {} distances)",
          g.size(),
          (System.nanoTime() - t0) / 1_000_000,
          g.params().searchBeam(),
          g.quantizedWalk() ? "PQ (" + g.params().pqSubspaces() + " subspaces)" : "exact",
          GraphIndex.simd() ? "SIMD" : "scalar");
      if (!GraphIndex.simd()) {
        LOG.warn(
            "the ANN search runs without SIMD on Java {}: run on Java >= 20 (./funnel picks"
                + " FUNNEL_JAVA) for a several times faster index walk (docs/benchmarks.md)",
            Runtime.version().feature());
      }
      return g;
    } catch (IOException e) {
      throw new UncheckedIOException(
          bundle.directory() + ": cannot load the ANN graph: " + e.getMessage(), e);
    }
  }
}
