package dev.funnel.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Turns the prefix of a Java input array into a tensor, in one of two ways.
 *
 * <p>{@link #COPYING}: a fresh copy per call, which is safe to keep (training, where autograd holds
 * inputs until the backward pass).
 *
 * <p>{@link #staged}: direct, native-order buffers owned by a serving predictor and handed to
 * libtorch without copying (DJL wraps a direct buffer with {@code torchFromBlob}). From a Java
 * array DJL would allocate a new direct buffer per input per call, each with a {@code Cleaner} that
 * only a GC releases: at RW-1M and 200 req/s about 30,000 live cleaners between collections, 3–8 ms
 * of every young pause in reference processing (docs/benchmarks.md). Staged tensors alias the
 * buffers, so they are valid only until the next call. That suits a predictor, which is
 * single-threaded and closes the call's NDManager first. Not thread-safe.
 */
final class TensorFeed {
  static final TensorFeed COPYING = new TensorFeed(null);

  private final ByteBuffer[] slots;

  private TensorFeed(ByteBuffer[] slots) {
    this.slots = slots;
  }

  /** A staged feed with one reused buffer per input, each {@code bytes[i]} long. */
  static TensorFeed staged(int... bytes) {
    ByteBuffer[] slots = new ByteBuffer[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      slots[i] = ByteBuffer.allocateDirect(bytes[i]).order(ByteOrder.nativeOrder());
    }
    return new TensorFeed(slots);
  }

  /** The first {@code n} values of {@code src} (input {@code slot}) as an INT64 tensor. */
  NDArray longs(NDManager manager, int slot, long[] src, int n, Shape shape) {
    if (slots == null) {
      return manager.create(Arrays.copyOf(src, n), shape);
    }
    ByteBuffer b = slots[slot].clear();
    b.asLongBuffer().put(src, 0, n);
    b.limit(n * Long.BYTES);
    return manager.create(b, shape, DataType.INT64);
  }

  /** The first {@code n} values of {@code src} (input {@code slot}) as a FLOAT32 tensor. */
  NDArray floats(NDManager manager, int slot, float[] src, int n, Shape shape) {
    if (slots == null) {
      return manager.create(Arrays.copyOf(src, n), shape);
    }
    ByteBuffer b = slots[slot].clear();
    b.asFloatBuffer().put(src, 0, n);
    b.limit(n * Float.BYTES);
    return manager.create(b, shape, DataType.FLOAT32);
  }
}
