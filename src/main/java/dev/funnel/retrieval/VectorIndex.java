package dev.funnel.retrieval;

import dev.funnel.models.ModelBundle;
import java.util.function.IntPredicate;

/**
 * Maximum-inner-product search over the video vectors of one model version: the videos v with the
 * largest u·w_v + b_v. Implementations are immutable snapshots and thread-safe; an index is built
 * once per model version, off the request path, and swapped together with it.
 */
public interface VectorIndex {

  /** Number of videos indexed (dense ids 0..size()-1). */
  int size();

  /** Length of the query vector u. */
  int dims();

  /**
   * The top {@code k} videos for query {@code u}, best first, skipping every dense id for which
   * {@code excluded} is true (already watched, explicitly excluded). Returns fewer than {@code k}
   * only when fewer videos are left. Exact implementations return the true top-K; approximate ones
   * document their recall.
   *
   * @throws IllegalArgumentException when {@code u.length != dims()} or {@code k < 0}
   */
  Candidates search(float[] u, int k, IntPredicate excluded);

  /**
   * Checks a query as {@link #search} documents and returns how many results it can have: {@code
   * min(k, size())}.
   */
  default int resultCap(float[] u, int k) {
    if (u.length != dims()) {
      throw new IllegalArgumentException("query has " + u.length + " dims, index " + dims());
    }
    if (k < 0) {
      throw new IllegalArgumentException("k must be >= 0, got " + k);
    }
    return Math.min(k, size());
  }

  /** The exact (flat scan) index over a bundle's video vectors and bias. */
  static VectorIndex exact(ModelBundle bundle) {
    return ExactIndex.build(bundle.videoVectors(), bundle.videoBias(), bundle.dims());
  }
}
