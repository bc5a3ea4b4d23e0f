package dev.funnel.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.funnel.features.UserProfile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link RankerModel} that computes {@link RankerBlock}'s logits with a few libtorch ops instead of
 * the block's two dozen: DJL's cost per op (a native call, an array object, its manager's map)
 * dominated the ranker after its GEMMs (docs/benchmarks.md, seventh pass).
 *
 * <p>The same maths, rearranged. The user's inputs (watched-history mean, language) are the same
 * for every candidate, so the first layer's user columns are applied once, in Java, and folded into
 * that layer's bias; the candidate inputs (own embedding, language, dense features) are gathered in
 * Java from the tables libtorch holds ({@link EmbeddingRows}) into one staged [batch, c] array.
 * libtorch then runs only the GEMM chain: linear + ReLU per layer. Like {@link DjlRanker} every
 * forward has exactly {@code batch} rows. Not thread-safe: one per worker.
 */
final class DirectRanker implements RankerModel {
  private final Weights weights;
  private final FeatureEncoder encoder;
  private final WatchTimeCalibration calibration;
  private final int batch;
  private final RankerInputs inputs;
  private final NDManager manager;
  private final ByteBuffer xBuffer;
  private final ByteBuffer biasBuffer;
  private final float[] x;
  private final float[] userIn;
  private final float[] bias;
  private final float[] scratch;

  /**
   * The ranker's parameters as the direct forward reads them; immutable, shared by every worker.
   * The candidate columns of the first layer are a new tensor in the model's manager.
   */
  static final class Weights {
    final EmbeddingRows videos;
    final EmbeddingRows languages;
    final boolean candidateEmbedding;
    final int candidateWidth; // c: [own embedding?, language, dense]
    final int userWidth; // [watched mean, language]
    final int firstOut;
    final NDArray firstCandidate; // [firstOut, c]
    final float[] firstUserT; // [userWidth, firstOut]: the user columns, transposed
    final float[] firstBias;
    final List<NDArray[]> rest; // {weight, bias} of each later layer
    final boolean firstRelu;

    private Weights(
        EmbeddingRows videos,
        EmbeddingRows languages,
        boolean candidateEmbedding,
        NDArray firstCandidate,
        float[] firstUserT,
        float[] firstBias,
        boolean firstRelu,
        List<NDArray[]> rest) {
      this.videos = videos;
      this.languages = languages;
      this.candidateEmbedding = candidateEmbedding;
      this.candidateWidth = (int) firstCandidate.getShape().get(1);
      this.firstOut = (int) firstCandidate.getShape().get(0);
      this.userWidth = firstUserT.length / firstOut;
      this.firstCandidate = firstCandidate;
      this.firstUserT = firstUserT;
      this.firstBias = firstBias;
      this.firstRelu = firstRelu;
      this.rest = rest;
    }

    /**
     * The weights of a loaded or initialised block, or null when the direct forward cannot serve it
     * (see {@link EmbeddingRows#of}); then use {@link DjlRanker}.
     */
    static Weights of(RankerBlock block, NDManager manager) {
      ModelShapes s = block.shapes();
      var params = block.getParameters();
      EmbeddingRows videos = EmbeddingRows.of(params.get("video_embedding").getArray());
      EmbeddingRows languages = EmbeddingRows.of(params.get("language_embedding").getArray());
      if (videos == null || languages == null) {
        return null;
      }
      List<Parameter[]> layers = new ArrayList<>();
      for (String n : new String[] {"1", "2", "3", "4"}) {
        if (params.contains("w" + n)) {
          layers.add(new Parameter[] {params.get("w" + n), params.get("b" + n)});
        }
      }
      // Columns of the block's concatenated input, in its order.
      int e = s.rankerVideoEmbedding();
      int l = s.rankerLanguageEmbedding();
      int d = FeatureEncoder.RANKER_DENSE;
      int in = s.rankerInput();
      int at = 0;
      int shown = -1;
      if (s.rankerCandidateEmbedding()) {
        shown = at;
        at += e;
      }
      int watched = at;
      at += e;
      int shownLanguage = at;
      at += l;
      int language = at;
      at += l;
      int dense = at;
      int[] candidateCols = new int[(shown >= 0 ? e : 0) + l + d];
      int c = 0;
      if (shown >= 0) {
        c = range(candidateCols, c, shown, e);
      }
      c = range(candidateCols, c, shownLanguage, l);
      range(candidateCols, c, dense, d);
      int[] userCols = new int[e + l];
      range(userCols, range(userCols, 0, watched, e), language, l);

      float[] w = layers.get(0)[0].getArray().toFloatArray(); // [out, in]
      int out = w.length / in;
      float[] cand = new float[out * candidateCols.length];
      float[] userT = new float[userCols.length * out];
      for (int j = 0; j < out; j++) {
        for (int k = 0; k < candidateCols.length; k++) {
          cand[j * candidateCols.length + k] = w[j * in + candidateCols[k]];
        }
        for (int k = 0; k < userCols.length; k++) {
          userT[k * out + j] = w[j * in + userCols[k]];
        }
      }
      NDArray firstCandidate = manager.create(cand, new Shape(out, candidateCols.length));
      float[] firstBias = layers.get(0)[1].getArray().toFloatArray();
      List<NDArray[]> rest = new ArrayList<>();
      for (Parameter[] p : layers.subList(1, layers.size())) {
        rest.add(new NDArray[] {p[0].getArray(), p[1].getArray()});
      }
      // Every layer but the output one (w4) has a ReLU.
      boolean firstRelu = layers.size() > 1;
      return new Weights(
          videos,
          languages,
          s.rankerCandidateEmbedding(),
          firstCandidate,
          userT,
          firstBias,
          firstRelu,
          rest);
    }

    private static int range(int[] cols, int at, int from, int n) {
      for (int i = 0; i < n; i++) {
        cols[at + i] = from + i;
      }
      return at + n;
    }
  }

  DirectRanker(
      Weights weights,
      NDManager modelManager,
      FeatureEncoder encoder,
      WatchTimeCalibration calibration,
      int batch) {
    this.weights = weights;
    this.encoder = encoder;
    this.calibration = calibration;
    this.batch = batch;
    this.inputs = new RankerInputs(batch);
    this.manager = modelManager.newSubManager();
    int c = weights.candidateWidth;
    this.x = new float[batch * c];
    this.xBuffer = ByteBuffer.allocateDirect(x.length * Float.BYTES).order(ByteOrder.nativeOrder());
    this.userIn = new float[weights.userWidth];
    this.bias = new float[weights.firstOut];
    this.biasBuffer =
        ByteBuffer.allocateDirect(bias.length * Float.BYTES).order(ByteOrder.nativeOrder());
    this.scratch = new float[Math.max(weights.videos.width(), weights.languages.width())];
  }

  @Override
  public float[] expectedWatchSeconds(
      UserProfile profile, int[] candidates, float[] retrievalScores, int count, long nowTs) {
    return expectedWatchSeconds(
        encoder.resolve(profile), candidates, retrievalScores, count, nowTs);
  }

  @Override
  public float[] expectedWatchSeconds(
      ResolvedUser user, int[] candidates, float[] retrievalScores, int count, long nowTs) {
    RankerModel.checkCount(candidates, retrievalScores, count);
    float[] out = new float[count];
    for (int from = 0; from < count; from += batch) {
      int n = Math.min(batch, count - from);
      encoder.encodeRanker(user, candidates, retrievalScores, from, n, nowTs, inputs);
      float[] logits = logits(inputs);
      DjlRanker.seconds(calibration, encoder.catalog(), logits, candidates, from, n, out, from);
    }
    return out;
  }

  /** Logits of the {@code batch} rows of encoded inputs (user row 0). */
  float[] logits(RankerInputs in) {
    try (NDManager call = manager.newSubManager()) {
      return forward(call, in).toFloatArray();
    }
  }

  /** The forward in {@code call}, which owns every array it makes: for tests that count them. */
  NDArray forward(NDManager call, RankerInputs in) {
    Weights w = weights;
    // The user's part of the first layer, once: bias + W_user · [watched mean, language].
    EmbeddingRows videos = w.videos;
    videos.maskedMean(in.history, 0, FeatureEncoder.HISTORY, userIn, 0, scratch);
    w.languages.copy((int) in.userLanguage[0], userIn, videos.width());
    System.arraycopy(w.firstBias, 0, bias, 0, bias.length);
    int out = w.firstOut;
    for (int k = 0; k < userIn.length; k++) {
      float v = userIn[k];
      int row = k * out;
      for (int j = 0; j < out; j++) {
        bias[j] += v * w.firstUserT[row + j];
      }
    }
    // The candidates' columns, in the order of the split weight.
    int c = w.candidateWidth;
    int d = FeatureEncoder.RANKER_DENSE;
    int e = w.candidateEmbedding ? videos.width() : 0;
    int l = w.languages.width();
    for (int r = 0; r < batch; r++) {
      int at = r * c;
      if (e > 0) {
        videos.copy((int) in.video[r], x, at);
      }
      w.languages.copy((int) in.videoLanguage[r], x, at + e);
      System.arraycopy(in.dense, r * d, x, at + e + l, d);
    }
    NDArray h =
        Layers.dense(
            staged(call, xBuffer, x, new Shape(batch, c)),
            w.firstCandidate,
            staged(call, biasBuffer, bias, new Shape(out)),
            w.firstRelu);
    for (int i = 0; i < w.rest.size(); i++) {
      NDArray[] layer = w.rest.get(i);
      h = Layers.dense(h, layer[0], layer[1], i < w.rest.size() - 1);
    }
    return h;
  }

  /** {@code src} as a tensor over {@code buffer}, which it aliases until the next call. */
  private static NDArray staged(NDManager call, ByteBuffer buffer, float[] src, Shape shape) {
    FloatBuffer f = buffer.clear().asFloatBuffer();
    f.put(src, 0, src.length);
    return call.create(buffer, shape, DataType.FLOAT32);
  }

  @Override
  public void close() {
    manager.close();
  }
}
