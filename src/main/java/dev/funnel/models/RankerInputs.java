package dev.funnel.models;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * Reusable Java-side buffers of the ranker's inputs: {@code rows} candidate rows and {@code users}
 * user rows, where users is 1 (serving: one user, K candidates, broadcast inside the block) or
 * equal to rows (training: one user per row). Not thread-safe.
 *
 * <p>Layout: video [B] and videoLanguage [B] embedding rows, history [U, 50], userLanguage [U],
 * dense [B, {@link FeatureEncoder#RANKER_DENSE}].
 */
public final class RankerInputs {
  final int capacity;
  final long[] video;
  final long[] videoLanguage;
  final long[] history;
  final long[] userLanguage;
  final float[] dense;
  private final TensorFeed feed;

  /** Inputs whose tensors are copies: safe to keep across calls (training). */
  public RankerInputs(int capacity) {
    this(capacity, false);
  }

  /**
   * @param staged feed libtorch from reused native buffers instead of fresh copies; the tensors are
   *     then valid only until the next {@link #toNDList} (serving predictors, see {@link
   *     TensorFeed})
   */
  public RankerInputs(int capacity, boolean staged) {
    this.capacity = capacity;
    video = new long[capacity];
    videoLanguage = new long[capacity];
    history = new long[capacity * FeatureEncoder.HISTORY];
    userLanguage = new long[capacity];
    dense = new float[capacity * FeatureEncoder.RANKER_DENSE];
    feed =
        staged
            ? TensorFeed.staged(
                capacity * Long.BYTES,
                capacity * Long.BYTES,
                capacity * FeatureEncoder.HISTORY * Long.BYTES,
                capacity * Long.BYTES,
                capacity * FeatureEncoder.RANKER_DENSE * Float.BYTES)
            : TensorFeed.COPYING;
  }

  public int capacity() {
    return capacity;
  }

  public NDList toNDList(NDManager manager, int rows, int users) {
    if (users != 1 && users != rows) {
      throw new IllegalArgumentException("users must be 1 or rows, got " + users);
    }
    int h = users * FeatureEncoder.HISTORY;
    int d = rows * FeatureEncoder.RANKER_DENSE;
    return new NDList(
        feed.longs(manager, 0, video, rows, new Shape(rows)),
        feed.longs(manager, 1, videoLanguage, rows, new Shape(rows)),
        feed.longs(manager, 2, history, h, new Shape(users, FeatureEncoder.HISTORY)),
        feed.longs(manager, 3, userLanguage, users, new Shape(users)),
        feed.floats(manager, 4, dense, d, new Shape(rows, FeatureEncoder.RANKER_DENSE)));
  }

  /** The candidate video rows of the first {@code rows} candidates, for row-wise training. */
  public long[] videos(int rows) {
    return Arrays.copyOf(video, rows);
  }

  /** The history rows of the first {@code users} users [users × 50], for row-wise training. */
  public long[] history(int users) {
    return Arrays.copyOf(history, users * FeatureEncoder.HISTORY);
  }

  /** The candidates' language rows and the users' language rows, for tests. */
  public long[] videoLanguages(int rows) {
    return Arrays.copyOf(videoLanguage, rows);
  }

  public long[] userLanguages(int users) {
    return Arrays.copyOf(userLanguage, users);
  }

  public float[] denseRow(int row) {
    int w = FeatureEncoder.RANKER_DENSE;
    return Arrays.copyOfRange(dense, row * w, row * w + w);
  }
}
