package dev.funnel.models;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The candidate model's user tower (DESIGN.md §1): the averaged watch-history and search-token
 * embeddings, geo / language / gender embeddings and the dense features ({@link
 * FeatureEncoder#USER_DENSE}) are concatenated into a 128-d input, then a ReLU MLP (256 → 128) and
 * a linear projection to d = 64 give the user vector u. The last layer is linear on purpose: u is
 * dotted with the softmax rows, and a ReLU there would forbid negative components.
 *
 * <p>Inputs: the four arrays of {@link UserInputs#toNDList}. Output: u [B, d].
 */
public final class UserTowerBlock extends AbstractBlock {
  private static final byte VERSION = 1;

  private final ModelShapes shapes;
  private final Parameter videoEmbedding;
  private final Parameter tokenEmbedding;
  private final Parameter geoEmbedding;
  private final Parameter languageEmbedding;
  private final Parameter genderEmbedding;
  private final Parameter w1;
  private final Parameter b1;
  private final Parameter w2;
  private final Parameter b2;
  private final Parameter w3;
  private final Parameter b3;

  public UserTowerBlock(ModelShapes s) {
    super(VERSION);
    this.shapes = s;
    videoEmbedding =
        addParameter(Layers.embedding("video_embedding", s.videos() + 1L, s.videoEmbedding()));
    tokenEmbedding =
        addParameter(Layers.embedding("token_embedding", s.tokens(), s.tokenEmbedding()));
    geoEmbedding = addParameter(Layers.embedding("geo_embedding", s.geos(), s.geoEmbedding()));
    languageEmbedding =
        addParameter(Layers.embedding("language_embedding", s.languages(), s.languageEmbedding()));
    genderEmbedding =
        addParameter(Layers.embedding("gender_embedding", s.genders(), s.genderEmbedding()));
    // A hidden width of 0 removes that layer (the depth ablation); the standard shapes have both.
    int in = s.towerInput();
    w1 = s.towerHidden1() > 0 ? addParameter(Layers.weight("w1", s.towerHidden1(), in)) : null;
    b1 = s.towerHidden1() > 0 ? addParameter(Layers.bias("b1", s.towerHidden1())) : null;
    in = s.towerHidden1() > 0 ? s.towerHidden1() : in;
    w2 = s.towerHidden2() > 0 ? addParameter(Layers.weight("w2", s.towerHidden2(), in)) : null;
    b2 = s.towerHidden2() > 0 ? addParameter(Layers.bias("b2", s.towerHidden2())) : null;
    in = s.towerHidden2() > 0 ? s.towerHidden2() : in;
    w3 = addParameter(Layers.weight("w3", s.dims(), in));
    b3 = addParameter(Layers.bias("b3", s.dims()));
  }

  public ModelShapes shapes() {
    return shapes;
  }

  /** The video input embedding [V + 1, w] (row 0 pads), which trainers update row-wise. */
  public Parameter videoEmbedding() {
    return videoEmbedding;
  }

  /** The input shapes for a batch of {@code rows} users (for {@link #initialize}). */
  public static Shape[] inputShapes(int rows) {
    return new Shape[] {
      new Shape(rows, FeatureEncoder.HISTORY),
      new Shape(rows, FeatureEncoder.TOKENS),
      new Shape(rows, FeatureEncoder.USER_CATEGORICAL),
      new Shape(rows, FeatureEncoder.USER_DENSE)
    };
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray videos = ps.getValue(videoEmbedding, inputs.get(0).getDevice(), training);
    return new NDList(forward(ps, inputs, videos, training));
  }

  /**
   * u [B, d] with the video embedding rows given: the history input indexes {@code videos} instead
   * of the whole table (training gathers the batch's rows; row 0 of {@code videos} must pad).
   */
  public NDArray forward(ParameterStore ps, NDList inputs, NDArray videos, boolean training) {
    NDArray history = inputs.get(0);
    NDArray tokens = inputs.get(1);
    NDArray categorical = inputs.get(2);
    NDArray dense = inputs.get(3);
    Device device = history.getDevice();

    NDArray watched = Layers.maskedMean(history, videos);
    NDArray searched = Layers.maskedMean(tokens, ps.getValue(tokenEmbedding, device, training));
    NDArray geo =
        Layers.lookup(categorical.get(":, 0"), ps.getValue(geoEmbedding, device, training));
    NDArray language =
        Layers.lookup(categorical.get(":, 1"), ps.getValue(languageEmbedding, device, training));
    NDArray gender =
        Layers.lookup(categorical.get(":, 2"), ps.getValue(genderEmbedding, device, training));
    NDArray x = NDArrays.concat(new NDList(watched, searched, geo, language, gender, dense), 1);
    if (w1 != null) {
      x =
          Layers.dense(
              x, ps.getValue(w1, device, training), ps.getValue(b1, device, training), true);
    }
    if (w2 != null) {
      x =
          Layers.dense(
              x, ps.getValue(w2, device, training), ps.getValue(b2, device, training), true);
    }
    return Layers.dense(
        x, ps.getValue(w3, device, training), ps.getValue(b3, device, training), false);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), shapes.dims())};
  }
}
