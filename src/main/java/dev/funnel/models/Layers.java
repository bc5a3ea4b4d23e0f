package dev.funnel.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.XavierInitializer;

/**
 * Building blocks shared by both models. Every op takes the per-call array (indices, activations)
 * as its first operand: the PyTorch engine attaches an op's result to the first operand's manager,
 * so results land in the per-call manager and never in the model's (which would leak).
 */
final class Layers {
  private Layers() {}

  static Parameter embedding(String name, long rows, long width) {
    return Parameter.builder()
        .setName(name)
        .setType(Parameter.Type.WEIGHT)
        .optShape(new Shape(rows, width))
        .optInitializer(new NormalInitializer(0.05f))
        .build();
  }

  static Parameter weight(String name, long out, long in) {
    return Parameter.builder()
        .setName(name)
        .setType(Parameter.Type.WEIGHT)
        .optShape(new Shape(out, in))
        .optInitializer(new XavierInitializer())
        .build();
  }

  static Parameter bias(String name, long out) {
    return Parameter.builder()
        .setName(name)
        .setType(Parameter.Type.BIAS)
        .optShape(new Shape(out))
        .optInitializer(Initializer.ZEROS)
        .build();
  }

  /** Rows of {@code table} at integer {@code indices} (any shape); result shape indices × width. */
  static NDArray lookup(NDArray indices, NDArray table) {
    NDArray idx =
        indices.getDataType() == DataType.INT64 ? indices : indices.toType(DataType.INT64, false);
    return idx.getNDArrayInternal().embedding(idx, table, SparseFormat.DENSE).singletonOrThrow();
  }

  /**
   * Mean of the embeddings of the non-zero indices of each row of {@code indices} [B, n]: padding
   * (row 0) is masked out, and an all-padding row averages to zeros.
   */
  static NDArray maskedMean(NDArray indices, NDArray table) {
    NDArray embedded = lookup(indices, table); // [B, n, w]
    NDArray mask = indices.gt(0).toType(DataType.FLOAT32, false); // [B, n]
    NDArray sum = embedded.mul(mask.expandDims(2)).sum(new int[] {1}); // [B, w]
    NDArray count = mask.sum(new int[] {1}, true).maximum(1f); // [B, 1]
    return sum.div(count);
  }

  static NDArray dense(NDArray x, NDArray weight, NDArray bias, boolean relu) {
    NDArray y = Linear.linear(x, weight, bias).singletonOrThrow();
    return relu ? Activation.relu(y) : y;
  }
}
