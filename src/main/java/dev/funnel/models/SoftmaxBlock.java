package dev.funnel.models;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The candidate model's output layer: softmax weights W [V, d] and bias b [V, 1]. Its rows are the
 * video vectors served by the index; the trainer only ever scores a sampled subset of them. Serving
 * does not load this block: W and b are read from {@code video_vectors.f32} and {@code
 * video_bias.f32}.
 *
 * <p>Inputs: u [B, d] and video ids [S] (dense, 0-based). Output: logits u·w_v + b_v [B, S].
 */
public final class SoftmaxBlock extends AbstractBlock {
  private static final byte VERSION = 1;

  private final int videos;
  private final Parameter weight;
  private final Parameter bias;

  public SoftmaxBlock(int videos, int dims) {
    super(VERSION);
    this.videos = videos;
    weight = addParameter(Layers.embedding("softmax_weight", videos, dims));
    bias =
        addParameter(
            Parameter.builder()
                .setName("softmax_bias")
                .setType(Parameter.Type.BIAS)
                .optShape(new Shape(videos, 1))
                .optInitializer(ai.djl.training.initializer.Initializer.ZEROS)
                .build());
  }

  public Parameter weight() {
    return weight;
  }

  public Parameter bias() {
    return bias;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray u = inputs.get(0);
    NDArray ids = inputs.get(1);
    Device device = u.getDevice();
    return new NDList(
        logits(u, ids, ps.getValue(weight, device, training), ps.getValue(bias, device, training)));
  }

  /** u_i·w_{ids_i} + b_{ids_i} for each row i: the logit of one given video per user [B]. */
  public NDArray pairLogits(ParameterStore ps, NDArray u, NDArray ids, boolean training) {
    Device device = u.getDevice();
    return pairLogits(
        u, ids, ps.getValue(weight, device, training), ps.getValue(bias, device, training));
  }

  /**
   * Logits [B, S] of every user against the videos at rows {@code ids} [S] of {@code weights} [n,
   * d] and {@code biases} [n, 1]: the whole table, or the rows a training step gathered.
   */
  public static NDArray logits(NDArray u, NDArray ids, NDArray weights, NDArray biases) {
    NDArray w = Layers.lookup(ids, weights); // [S, d]
    NDArray b = Layers.lookup(ids, biases).reshape(1, -1); // [1, S]
    return u.matMul(w.transpose()).add(b);
  }

  /** As {@link #pairLogits(ParameterStore, NDArray, NDArray, boolean)} over given rows [B]. */
  public static NDArray pairLogits(NDArray u, NDArray ids, NDArray weights, NDArray biases) {
    NDArray w = Layers.lookup(ids, weights); // [B, d]
    NDArray b = Layers.lookup(ids, biases).reshape(-1); // [B]
    return u.mul(w).sum(new int[] {1}).add(b);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), inputShapes[1].get(0))};
  }

  public int videos() {
    return videos;
  }
}
