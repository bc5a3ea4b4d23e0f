package dev.funnel.retrieval;

import java.util.function.IntPredicate;

/**
 * Exact maximum-inner-product search by a flat scan. The bias is folded in as an extra dimension
 * (row = [w_v, b_v], query = [u, 1]) so that one dot product per video gives the score, and a
 * bounded min-heap keeps the top K, so the scan allocates O(K) per query. Cost is V·(d+1)
 * multiply-adds: fine up to ~100k videos on one core; beyond that use an ANN index behind the same
 * interface. Immutable and thread-safe.
 */
public final class ExactIndex implements VectorIndex {
  private final float[] rows; // size × stride, row-major
  private final int dims;
  private final int stride;
  private final int size;

  private ExactIndex(float[] rows, int dims, int size) {
    this.rows = rows;
    this.dims = dims;
    this.stride = dims + 1;
    this.size = size;
  }

  /**
   * @param vectors row-major, {@code bias.length × dims} (copied)
   * @param bias one per video (copied)
   */
  public static ExactIndex build(float[] vectors, float[] bias, int dims) {
    if (dims <= 0) {
      throw new IllegalArgumentException("dims must be positive, got " + dims);
    }
    int size = bias.length;
    if ((long) size * dims != vectors.length) {
      throw new IllegalArgumentException(
          "vectors has " + vectors.length + " floats, expected " + size + " × " + dims);
    }
    int stride = dims + 1;
    float[] rows = new float[size * stride];
    for (int v = 0; v < size; v++) {
      System.arraycopy(vectors, v * dims, rows, v * stride, dims);
      rows[v * stride + dims] = bias[v];
    }
    return new ExactIndex(rows, dims, size);
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public int dims() {
    return dims;
  }

  @Override
  public Candidates search(float[] u, int k, IntPredicate excluded) {
    int cap = resultCap(u, k);
    if (cap == 0) {
      return Candidates.EMPTY;
    }
    // Min-heap on score: heap[0] is the worst of the best `count` so far.
    int[] heapIds = new int[cap];
    float[] heapScores = new float[cap];
    int count = 0;
    float[] rows = this.rows;
    int stride = this.stride;
    int dims = this.dims;
    for (int v = 0, base = 0; v < size; v++, base += stride) {
      float s = rows[base + dims]; // the bias times the query's constant 1
      for (int j = 0; j < dims; j++) {
        s += u[j] * rows[base + j];
      }
      if (count == cap && s <= heapScores[0]) {
        continue;
      }
      // The predicate runs only for would-be members of the top K, so its cost is negligible.
      if (excluded != null && excluded.test(v)) {
        continue;
      }
      if (count < cap) {
        siftUp(heapIds, heapScores, count++, v, s);
      } else {
        siftDown(heapIds, heapScores, cap, v, s);
      }
    }
    // Pop the heap worst-first into the tail, so the result is best first.
    int[] ids = new int[count];
    float[] scores = new float[count];
    for (int n = count; n > 0; n--) {
      ids[n - 1] = heapIds[0];
      scores[n - 1] = heapScores[0];
      if (n > 1) {
        siftDown(heapIds, heapScores, n - 1, heapIds[n - 1], heapScores[n - 1]);
      }
    }
    return new Candidates(ids, scores, count);
  }

  private static void siftUp(int[] ids, float[] scores, int pos, int id, float score) {
    while (pos > 0) {
      int parent = (pos - 1) >>> 1;
      if (scores[parent] <= score) {
        break;
      }
      ids[pos] = ids[parent];
      scores[pos] = scores[parent];
      pos = parent;
    }
    ids[pos] = id;
    scores[pos] = score;
  }

  /** Replaces the root with (id, score) and restores the heap over the first n entries. */
  private static void siftDown(int[] ids, float[] scores, int n, int id, float score) {
    int pos = 0;
    while (true) {
      int child = 2 * pos + 1;
      if (child >= n) {
        break;
      }
      if (child + 1 < n && scores[child + 1] < scores[child]) {
        child++;
      }
      if (scores[child] >= score) {
        break;
      }
      ids[pos] = ids[child];
      scores[pos] = scores[child];
      pos = child;
    }
    ids[pos] = id;
    scores[pos] = score;
  }
}
