package dev.funnel.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Direct, native-order buffers that a serving predictor owns and hands to libtorch without copying
 * (DJL wraps a direct buffer with {@code torchFromBlob}).
 *
 * <p>Why: from a Java array DJL allocates a fresh direct buffer per input per call, and each one
 * carries a {@code Cleaner} that only a GC releases. At RW-1M and 200 req/s that was about 30,000
 * live cleaners between collections; G1 copied their buffers and spent 3–8 ms of every young pause
 * in reference processing (docs/benchmarks.md).
 *
 * <p>The tensors alias these buffers, so they are valid only until the next call: fine for a
 * predictor, which is single-threaded and closes the call's NDManager before the next one, but not
 * for training, where autograd keeps inputs until the backward pass. Not thread-safe.
 */
final class NativeStaging {
  private final ByteBuffer[] slots;

  /** One slot per input, each {@code bytes[i]} long. */
  NativeStaging(int... bytes) {
    slots = new ByteBuffer[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      slots[i] = ByteBuffer.allocateDirect(bytes[i]).order(ByteOrder.nativeOrder());
    }
  }

  /** The first {@code n} values of {@code src} as an INT64 tensor of {@code shape}. */
  NDArray longs(NDManager manager, int slot, long[] src, int n, Shape shape) {
    ByteBuffer b = slots[slot].clear();
    b.asLongBuffer().put(src, 0, n);
    b.limit(n * Long.BYTES);
    return manager.create(b, shape, DataType.INT64);
  }

  /** The first {@code n} values of {@code src} as a FLOAT32 tensor of {@code shape}. */
  NDArray floats(NDManager manager, int slot, float[] src, int n, Shape shape) {
    ByteBuffer b = slots[slot].clear();
    b.asFloatBuffer().put(src, 0, n);
    b.limit(n * Float.BYTES);
    return manager.create(b, shape, DataType.FLOAT32);
  }
}
