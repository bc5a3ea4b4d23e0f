package dev.funnel.models;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslateException;
import ai.djl.translate.TranslatorContext;
import dev.funnel.features.UserProfile;

/**
 * {@link UserTower} over a DJL Predictor. The translator encodes into buffers owned by this
 * (single-threaded) instance and allocates NDArrays only in the Predictor's per-call context
 * manager, which DJL closes when the call returns, so native memory stays flat under load.
 */
final class DjlUserTower implements UserTower {
  private final Predictor<ResolvedUser, float[]> predictor;
  private final FeatureEncoder encoder;

  private final Encoding encoding;

  DjlUserTower(Model model, FeatureEncoder encoder, int dims) {
    this.encoder = encoder;
    this.encoding = new Encoding(encoder, dims);
    this.predictor = model.newPredictor(encoding);
  }

  @Override
  public float[] userVector(UserProfile profile, long nowTs, float exampleAgeSeconds) {
    return userVector(encoder.resolve(profile), nowTs, exampleAgeSeconds);
  }

  @Override
  public float[] userVector(ResolvedUser user, long nowTs, float exampleAgeSeconds) {
    encoding.exampleAgeSeconds = exampleAgeSeconds;
    try {
      return userVector(user, nowTs);
    } finally {
      encoding.exampleAgeSeconds = 0f;
    }
  }

  @Override
  public float[] userVector(UserProfile profile, long nowTs) {
    return userVector(encoder.resolve(profile), nowTs);
  }

  @Override
  public float[] userVector(ResolvedUser user, long nowTs) {
    try {
      return predictor.predict(user);
    } catch (TranslateException e) {
      throw new IllegalStateException("user tower forward failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    predictor.close();
  }

  private static final class Encoding implements NoBatchifyTranslator<ResolvedUser, float[]> {
    private final FeatureEncoder encoder;
    private final int dims;
    private final UserInputs inputs = new UserInputs(1, true);
    private float exampleAgeSeconds; // 0 except during a replayed request

    Encoding(FeatureEncoder encoder, int dims) {
      this.encoder = encoder;
      this.dims = dims;
    }

    @Override
    public NDList processInput(TranslatorContext ctx, ResolvedUser user) {
      encoder.encodeUser(user, exampleAgeSeconds, inputs, 0);
      return inputs.toNDList(ctx.getNDManager(), 1);
    }

    @Override
    public float[] processOutput(TranslatorContext ctx, NDList list) {
      float[] u = list.singletonOrThrow().toFloatArray();
      if (u.length != dims) {
        throw new IllegalStateException("user vector has " + u.length + " dims, want " + dims);
      }
      return u;
    }
  }
}
