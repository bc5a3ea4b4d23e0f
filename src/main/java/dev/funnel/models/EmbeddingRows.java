package dev.funnel.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Read access from Java to the rows of a float embedding table that libtorch holds, without copying
 * it: the buffer aliases the tensor's memory, so it is valid only while the table's model is open
 * (a bundle outlives its predictors). Reads are absolute, so one instance serves every thread.
 */
final class EmbeddingRows {
  private final FloatBuffer rows;
  private final int count;
  private final int width;

  private EmbeddingRows(FloatBuffer rows, int count, int width) {
    this.rows = rows;
    this.count = count;
    this.width = width;
  }

  /**
   * A view of a [rows, width] FLOAT32 table on the CPU, or null when there is none to take (a GPU
   * tensor, or one over 2 GB, which a Java buffer cannot address).
   */
  static EmbeddingRows of(NDArray table) {
    if (table.getDevice().isGpu()
        || table.getDataType() != DataType.FLOAT32
        || table.getShape().dimension() != 2
        || table.getShape().size() * Float.BYTES > Integer.MAX_VALUE) {
      return null;
    }
    FloatBuffer view = table.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer();
    if (!view.isDirect() || view.capacity() != table.getShape().size()) {
      return null; // not an alias of the tensor: a copy would go stale and double the memory
    }
    return new EmbeddingRows(view, (int) table.getShape().get(0), (int) table.getShape().get(1));
  }

  int width() {
    return width;
  }

  int count() {
    return count;
  }

  /** Row {@code row} into {@code dst[at, at + width)}. */
  void copy(int row, float[] dst, int at) {
    rows.get(row * width, dst, at, width);
  }

  /** Adds row {@code row} to {@code dst[at, at + width)}, reading it through {@code scratch}. */
  void add(int row, float[] dst, int at, float[] scratch) {
    rows.get(row * width, scratch, 0, width);
    for (int i = 0; i < width; i++) {
      dst[at + i] += scratch[i];
    }
  }

  /**
   * The mean of the rows at the non-zero {@code indices[from, from + n)} into {@code dst[at, at +
   * width)}; zeros when all are 0 (row 0 pads), as {@link Layers#maskedMean} computes it.
   */
  void maskedMean(long[] indices, int from, int n, float[] dst, int at, float[] scratch) {
    java.util.Arrays.fill(dst, at, at + width, 0f);
    int used = 0;
    for (int i = from; i < from + n; i++) {
      if (indices[i] > 0) {
        add((int) indices[i], dst, at, scratch);
        used++;
      }
    }
    float count = Math.max(used, 1);
    for (int i = 0; i < width; i++) {
      dst[at + i] /= count;
    }
  }
}
