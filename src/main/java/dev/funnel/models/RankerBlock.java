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
 * The ranking model (DESIGN.md §1): per candidate, the impression video's embedding (only in
 * versions whose shapes say {@code ranker_candidate_embedding}), the average embedding of the
 * user's watched videos (same table), the user's and the video's language embeddings (one shared
 * table) and the normalised continuous features; a ReLU MLP 256 → 128 → 64 and a linear output give
 * the weighted-LR logit, so exp(logit) ≈ expected watch seconds (serving calibrates it: {@link
 * WatchTimeCalibration}).
 *
 * <p>Inputs: the five arrays of {@link RankerInputs#toNDList}; when the user dimension is 1 the
 * user's features are broadcast to every candidate. Output: logits [B].
 */
public final class RankerBlock extends AbstractBlock {
  private static final byte VERSION = 1;

  private final ModelShapes shapes;
  private final Parameter videoEmbedding;
  private final Parameter languageEmbedding;
  private final Parameter w1;
  private final Parameter b1;
  private final Parameter w2;
  private final Parameter b2;
  private final Parameter w3;
  private final Parameter b3;
  private final Parameter w4;
  private final Parameter b4;

  public RankerBlock(ModelShapes s) {
    super(VERSION);
    this.shapes = s;
    videoEmbedding =
        addParameter(
            Layers.embedding("video_embedding", s.videos() + 1L, s.rankerVideoEmbedding()));
    languageEmbedding =
        addParameter(
            Layers.embedding("language_embedding", s.languages(), s.rankerLanguageEmbedding()));
    // A hidden width of 0 removes that layer (the paper's depth table); 0, 0, 0 is plain LR.
    int in = s.rankerInput();
    w1 = s.rankerHidden1() > 0 ? addParameter(Layers.weight("w1", s.rankerHidden1(), in)) : null;
    b1 = s.rankerHidden1() > 0 ? addParameter(Layers.bias("b1", s.rankerHidden1())) : null;
    in = s.rankerHidden1() > 0 ? s.rankerHidden1() : in;
    w2 = s.rankerHidden2() > 0 ? addParameter(Layers.weight("w2", s.rankerHidden2(), in)) : null;
    b2 = s.rankerHidden2() > 0 ? addParameter(Layers.bias("b2", s.rankerHidden2())) : null;
    in = s.rankerHidden2() > 0 ? s.rankerHidden2() : in;
    w3 = s.rankerHidden3() > 0 ? addParameter(Layers.weight("w3", s.rankerHidden3(), in)) : null;
    b3 = s.rankerHidden3() > 0 ? addParameter(Layers.bias("b3", s.rankerHidden3())) : null;
    in = s.rankerHidden3() > 0 ? s.rankerHidden3() : in;
    w4 = addParameter(Layers.weight("w4", 1, in));
    b4 = addParameter(Layers.bias("b4", 1));
  }

  /** Input shapes for {@code rows} candidates of {@code users} users (1 or rows). */
  public static Shape[] inputShapes(int rows, int users) {
    return new Shape[] {
      new Shape(rows),
      new Shape(rows),
      new Shape(users, FeatureEncoder.HISTORY),
      new Shape(users),
      new Shape(rows, FeatureEncoder.RANKER_DENSE)
    };
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray videos = ps.getValue(videoEmbedding, inputs.get(0).getDevice(), training);
    return new NDList(forward(ps, inputs, videos, training));
  }

  /**
   * Logits [B] with the video embedding rows given: the video and history inputs index {@code
   * videos} instead of the whole table (training gathers the batch's rows; row 0 must pad).
   */
  public NDArray forward(ParameterStore ps, NDList inputs, NDArray videos, boolean training) {
    NDArray video = inputs.get(0);
    NDArray videoLanguage = inputs.get(1);
    NDArray history = inputs.get(2);
    NDArray userLanguage = inputs.get(3);
    NDArray dense = inputs.get(4);
    Device device = video.getDevice();
    long rows = video.getShape().get(0);

    NDArray languages = ps.getValue(languageEmbedding, device, training);
    NDArray shown = shapes.rankerCandidateEmbedding() ? Layers.lookup(video, videos) : null;
    NDArray shownLanguage = Layers.lookup(videoLanguage, languages);
    NDArray watched = Layers.maskedMean(history, videos);
    NDArray language = Layers.lookup(userLanguage, languages);
    if (watched.getShape().get(0) != rows) {
      watched = watched.broadcast(rows, watched.getShape().get(1));
      language = language.broadcast(rows, language.getShape().get(1));
    }
    NDList parts =
        shapes.rankerCandidateEmbedding()
            ? new NDList(shown, watched, shownLanguage, language, dense)
            : new NDList(watched, shownLanguage, language, dense);
    NDArray x = NDArrays.concat(parts, 1);
    x = hidden(ps, x, w1, b1, device, training);
    x = hidden(ps, x, w2, b2, device, training);
    x = hidden(ps, x, w3, b3, device, training);
    x =
        Layers.dense(
            x, ps.getValue(w4, device, training), ps.getValue(b4, device, training), false);
    return x.reshape(rows);
  }

  private static NDArray hidden(
      ParameterStore ps, NDArray x, Parameter w, Parameter b, Device device, boolean training) {
    if (w == null) {
      return x;
    }
    return Layers.dense(
        x, ps.getValue(w, device, training), ps.getValue(b, device, training), true);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0))};
  }

  public ModelShapes shapes() {
    return shapes;
  }

  /** The video embedding [V + 1, w] (row 0 pads), which the trainer updates row-wise. */
  public Parameter videoEmbedding() {
    return videoEmbedding;
  }
}
