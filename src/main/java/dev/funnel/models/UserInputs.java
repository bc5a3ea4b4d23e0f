package dev.funnel.models;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * Reusable Java-side buffers of the user tower's inputs for up to {@code capacity} users, filled by
 * {@link FeatureEncoder} and turned into NDArrays in a caller-owned (per-call) manager. Not
 * thread-safe: one per predictor or training loop.
 *
 * <p>Layout (row-major): history [B, 50] and tokens [B, 10] as embedding rows (0 = padding),
 * categorical [B, 3] (geo, language, gender rows), dense [B, {@link FeatureEncoder#USER_DENSE}].
 */
public final class UserInputs {
  final int capacity;
  final long[] history;
  final long[] tokens;
  final long[] categorical;
  final float[] dense;
  private final TensorFeed feed;

  /** Inputs whose tensors are copies: safe to keep across calls (training). */
  public UserInputs(int capacity) {
    this(capacity, false);
  }

  /**
   * @param staged feed libtorch from reused native buffers instead of fresh copies; the tensors are
   *     then valid only until the next {@link #toNDList} (serving predictors, see {@link
   *     TensorFeed})
   */
  public UserInputs(int capacity, boolean staged) {
    this.capacity = capacity;
    history = new long[capacity * FeatureEncoder.HISTORY];
    tokens = new long[capacity * FeatureEncoder.TOKENS];
    categorical = new long[capacity * FeatureEncoder.USER_CATEGORICAL];
    dense = new float[capacity * FeatureEncoder.USER_DENSE];
    feed =
        staged
            ? TensorFeed.staged(
                capacity * FeatureEncoder.HISTORY * Long.BYTES,
                capacity * FeatureEncoder.TOKENS * Long.BYTES,
                capacity * FeatureEncoder.USER_CATEGORICAL * Long.BYTES,
                capacity * FeatureEncoder.USER_DENSE * Float.BYTES)
            : TensorFeed.COPYING;
  }

  public int capacity() {
    return capacity;
  }

  /** The first {@code rows} rows as the tower's input list, allocated in {@code manager}. */
  public NDList toNDList(NDManager manager, int rows) {
    return new NDList(
        feed.longs(
            manager,
            0,
            history,
            rows * FeatureEncoder.HISTORY,
            new Shape(rows, FeatureEncoder.HISTORY)),
        feed.longs(
            manager,
            1,
            tokens,
            rows * FeatureEncoder.TOKENS,
            new Shape(rows, FeatureEncoder.TOKENS)),
        feed.longs(
            manager,
            2,
            categorical,
            rows * FeatureEncoder.USER_CATEGORICAL,
            new Shape(rows, FeatureEncoder.USER_CATEGORICAL)),
        feed.floats(
            manager,
            3,
            dense,
            rows * FeatureEncoder.USER_DENSE,
            new Shape(rows, FeatureEncoder.USER_DENSE)));
  }

  /** The history rows of the first {@code rows} users [rows × 50], for row-wise training. */
  public long[] history(int rows) {
    return Arrays.copyOf(history, rows * FeatureEncoder.HISTORY);
  }

  /** Row {@code row} of the history buffer, for tests and debugging. */
  public long[] historyRow(int row) {
    int w = FeatureEncoder.HISTORY;
    return Arrays.copyOfRange(history, row * w, row * w + w);
  }

  public long[] tokenRow(int row) {
    int w = FeatureEncoder.TOKENS;
    return Arrays.copyOfRange(tokens, row * w, row * w + w);
  }

  public long[] categoricalRow(int row) {
    int w = FeatureEncoder.USER_CATEGORICAL;
    return Arrays.copyOfRange(categorical, row * w, row * w + w);
  }

  public float[] denseRow(int row) {
    int w = FeatureEncoder.USER_DENSE;
    return Arrays.copyOfRange(dense, row * w, row * w + w);
  }
}
