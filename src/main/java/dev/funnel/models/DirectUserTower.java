package dev.funnel.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.funnel.features.UserProfile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link UserTower} that computes {@link UserTowerBlock}'s user vector with a few libtorch ops
 * instead of the block's thirty: its input row (history and token means, the three categorical
 * rows, the dense features) is gathered in Java from the tables libtorch holds ({@link
 * EmbeddingRows}) into one staged [1, 128] array, and libtorch runs only the MLP. The tower's GEMMs
 * are tiny, so DJL's cost per op was nearly all of its time. Not thread-safe: one per worker.
 */
final class DirectUserTower implements UserTower {
  private final Weights weights;
  private final FeatureEncoder encoder;
  private final UserInputs inputs = new UserInputs(1);
  private final NDManager manager;
  private final ByteBuffer xBuffer;
  private final float[] x;
  private final float[] scratch;
  private final int dims;

  /** The tower's tables and layers; immutable, shared by every worker. */
  static final class Weights {
    final EmbeddingRows videos;
    final EmbeddingRows tokens;
    final EmbeddingRows geos;
    final EmbeddingRows languages;
    final EmbeddingRows genders;
    final List<NDArray[]> layers; // {weight, bias}; ReLU on all but the last

    private Weights(EmbeddingRows[] tables, List<NDArray[]> layers) {
      this.videos = tables[0];
      this.tokens = tables[1];
      this.geos = tables[2];
      this.languages = tables[3];
      this.genders = tables[4];
      this.layers = layers;
    }

    /** The weights of a block, or null when the direct forward cannot serve it. */
    static Weights of(UserTowerBlock block) {
      var params = block.getParameters();
      String[] names = {
        "video_embedding",
        "token_embedding",
        "geo_embedding",
        "language_embedding",
        "gender_embedding"
      };
      EmbeddingRows[] tables = new EmbeddingRows[names.length];
      for (int i = 0; i < names.length; i++) {
        tables[i] = EmbeddingRows.of(params.get(names[i]).getArray());
        if (tables[i] == null) {
          return null;
        }
      }
      List<NDArray[]> layers = new ArrayList<>();
      for (String n : new String[] {"1", "2", "3"}) {
        if (params.contains("w" + n)) {
          layers.add(
              new NDArray[] {params.get("w" + n).getArray(), params.get("b" + n).getArray()});
        }
      }
      return new Weights(tables, layers);
    }

    int inputWidth() {
      return videos.width()
          + tokens.width()
          + geos.width()
          + languages.width()
          + genders.width()
          + FeatureEncoder.USER_DENSE;
    }
  }

  DirectUserTower(Weights weights, NDManager modelManager, FeatureEncoder encoder, int dims) {
    this.weights = weights;
    this.encoder = encoder;
    this.dims = dims;
    this.manager = modelManager.newSubManager();
    this.x = new float[weights.inputWidth()];
    this.xBuffer = ByteBuffer.allocateDirect(x.length * Float.BYTES).order(ByteOrder.nativeOrder());
    this.scratch = new float[Math.max(weights.videos.width(), weights.tokens.width())];
  }

  @Override
  public float[] userVector(UserProfile profile, long nowTs) {
    return userVector(encoder.resolve(profile), nowTs);
  }

  @Override
  public float[] userVector(UserProfile profile, long nowTs, float exampleAgeSeconds) {
    return userVector(encoder.resolve(profile), nowTs, exampleAgeSeconds);
  }

  @Override
  public float[] userVector(ResolvedUser user, long nowTs) {
    return userVector(user, nowTs, 0f);
  }

  @Override
  public float[] userVector(ResolvedUser user, long nowTs, float exampleAgeSeconds) {
    encoder.encodeUser(user, exampleAgeSeconds, inputs, 0);
    float[] u;
    try (NDManager call = manager.newSubManager()) {
      u = forward(call, inputs).toFloatArray();
    }
    if (u.length != dims) {
      throw new IllegalStateException("user vector has " + u.length + " dims, want " + dims);
    }
    return u;
  }

  /** The forward of input row 0 in {@code call}, which owns every array it makes. */
  NDArray forward(NDManager call, UserInputs in) {
    Weights w = weights;
    // The block's concatenation order: watched, searched, geo, language, gender, dense.
    int at = 0;
    w.videos.maskedMean(in.history, 0, FeatureEncoder.HISTORY, x, at, scratch);
    at += w.videos.width();
    w.tokens.maskedMean(in.tokens, 0, FeatureEncoder.TOKENS, x, at, scratch);
    at += w.tokens.width();
    w.geos.copy((int) in.categorical[0], x, at);
    at += w.geos.width();
    w.languages.copy((int) in.categorical[1], x, at);
    at += w.languages.width();
    w.genders.copy((int) in.categorical[2], x, at);
    at += w.genders.width();
    System.arraycopy(in.dense, 0, x, at, FeatureEncoder.USER_DENSE);

    xBuffer.clear().asFloatBuffer().put(x);
    NDArray h = call.create(xBuffer, new Shape(1, x.length), DataType.FLOAT32);
    for (int i = 0; i < w.layers.size(); i++) {
      NDArray[] layer = w.layers.get(i);
      h = Layers.dense(h, layer[0], layer[1], i < w.layers.size() - 1);
    }
    return h;
  }

  @Override
  public void close() {
    manager.close();
  }
}
