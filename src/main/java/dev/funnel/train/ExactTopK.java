package dev.funnel.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The exact top k of u·w_v + b_v over every video, for a batch of users at once: one matrix product
 * per chunk of videos through libtorch, torch's top-k per chunk (no sort of the whole catalogue),
 * and one more top-k over the chunks' winners. The evaluator's scan: at a million videos, a
 * per-user Java loop spends minutes on what batched products do in seconds.
 *
 * <p>Chunks bound the scores held at once to batch × {@link #CHUNK} floats. Not thread-safe.
 */
final class ExactTopK implements AutoCloseable {
  static final int CHUNK = 32_768;

  private final NDManager manager;
  private final int videos;
  private final int dims;
  private final NDArray[] transposed; // per chunk: d × C
  private final NDArray[] bias; // per chunk: 1 × C
  private final int[] start;

  /**
   * @param vectors video vectors, row-major videos × dims
   * @param videoBias one bias per video
   */
  ExactTopK(float[] vectors, float[] videoBias, int dims) {
    this(vectors, videoBias, dims, CHUNK);
  }

  /** As above, with {@code chunk} videos per product (tests use small chunks). */
  ExactTopK(float[] vectors, float[] videoBias, int dims, int chunk) {
    this.videos = videoBias.length;
    this.dims = dims;
    if (vectors.length != (long) videos * dims) {
      throw new IllegalArgumentException("vectors and bias disagree in size");
    }
    this.manager = NDManager.newBaseManager();
    int chunks = Math.max(1, (videos + chunk - 1) / chunk);
    transposed = new NDArray[chunks];
    bias = new NDArray[chunks];
    start = new int[chunks];
    for (int c = 0; c < chunks; c++) {
      int from = c * chunk;
      int n = Math.min(chunk, videos - from);
      start[c] = from;
      float[] w = new float[n * dims];
      System.arraycopy(vectors, from * dims, w, 0, n * dims);
      float[] b = new float[n];
      System.arraycopy(videoBias, from, b, 0, n);
      // A transposed view: the product reads it as BLAS's transposed operand, no copy.
      transposed[c] = manager.create(w, new Shape(n, dims)).transpose();
      bias[c] = manager.create(b, new Shape(1, n));
    }
  }

  int videos() {
    return videos;
  }

  /** Top-k ids and scores of each user, best first: row r holds k entries at [r·k, (r+1)·k). */
  record Result(int rows, int k, int[] ids, float[] scores) {}

  /**
   * @param users user vectors, row-major, at least rows × dims
   * @param k entries per user; at most the number of videos
   */
  Result top(float[] users, int rows, int k) {
    if (k < 1 || k > videos) {
      throw new IllegalArgumentException("k must be in [1, " + videos + "], got " + k);
    }
    try (NDManager step = manager.newSubManager()) {
      float[] u = users.length == rows * dims ? users : java.util.Arrays.copyOf(users, rows * dims);
      NDArray user = step.create(u, new Shape(rows, dims));
      NDList values = new NDList();
      NDList indices = new NDList();
      for (int c = 0; c < transposed.length; c++) {
        // Each chunk's scores are freed as soon as its winners are taken.
        try (NDManager chunk = step.newSubManager()) {
          NDArray scores = user.matMul(transposed[c]).addi(bias[c]);
          scores.attach(chunk);
          int kc = (int) Math.min(k, scores.getShape().get(1));
          NDList top = scores.topK(kc, 1, true, false);
          NDArray ids = top.get(1).add(start[c]);
          top.get(0).attach(step);
          ids.attach(step);
          values.add(top.get(0));
          indices.add(ids);
        }
      }
      NDArray allValues = values.size() == 1 ? values.get(0) : NDArrays.concat(values, 1);
      NDArray allIds = indices.size() == 1 ? indices.get(0) : NDArrays.concat(indices, 1);
      NDList best = allValues.topK(k, 1, true, true);
      float[] scores = best.get(0).toFloatArray();
      long[] ids = allIds.gather(best.get(1), 1).toLongArray();
      int[] out = new int[ids.length];
      for (int i = 0; i < ids.length; i++) {
        out[i] = (int) ids[i];
      }
      return new Result(rows, k, out, scores);
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}
