package dev.funnel.models;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslateException;
import ai.djl.translate.TranslatorContext;
import dev.funnel.features.UserProfile;

/**
 * {@link RankerModel} over a DJL Predictor: scores are the version's calibrated watch seconds for
 * each logit ({@link WatchTimeCalibration}), capped at the video's duration. Every forward has
 * exactly {@code batch} rows: fewer candidates are padded, more are scored in chunks, so libtorch
 * never sees a new shape (new shapes cost re-planning stalls, DESIGN.md §7). NDArrays live in DJL's
 * per-call context manager.
 */
final class DjlRanker implements RankerModel {
  private final Predictor<Chunk, float[]> predictor;
  private final int batch;
  private final FeatureEncoder encoder;

  /** One forward's worth of candidates: [from, from + count) of the caller's arrays. */
  record Chunk(
      ResolvedUser user, int[] candidates, float[] scores, int from, int count, long nowTs) {}

  DjlRanker(Model model, FeatureEncoder encoder, WatchTimeCalibration calibration, int batch) {
    this.batch = batch;
    this.encoder = encoder;
    this.predictor = model.newPredictor(new Encoding(encoder, calibration, batch));
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
    try {
      for (int from = 0; from < count; from += batch) {
        int n = Math.min(batch, count - from);
        float[] chunk =
            predictor.predict(new Chunk(user, candidates, retrievalScores, from, n, nowTs));
        System.arraycopy(chunk, 0, out, from, n);
      }
    } catch (TranslateException e) {
      throw new IllegalStateException("ranker forward failed: " + e.getMessage(), e);
    }
    return out;
  }

  @Override
  public void close() {
    predictor.close();
  }

  private static final class Encoding implements NoBatchifyTranslator<Chunk, float[]> {
    private final FeatureEncoder encoder;
    private final WatchTimeCalibration calibration;
    private final RankerInputs inputs;
    private Chunk chunk;

    Encoding(FeatureEncoder encoder, WatchTimeCalibration calibration, int batch) {
      this.encoder = encoder;
      this.calibration = calibration;
      this.inputs = new RankerInputs(batch, true);
    }

    @Override
    public NDList processInput(TranslatorContext ctx, Chunk c) {
      encoder.encodeRanker(
          c.user(), c.candidates(), c.scores(), c.from(), c.count(), c.nowTs(), inputs);
      chunk = c;
      return inputs.toNDList(ctx.getNDManager(), inputs.capacity(), 1);
    }

    @Override
    public float[] processOutput(TranslatorContext ctx, NDList list) {
      float[] logits = list.singletonOrThrow().toFloatArray();
      float[] seconds = new float[chunk.count()];
      DjlRanker.seconds(
          calibration,
          encoder.catalog(),
          logits,
          chunk.candidates(),
          chunk.from(),
          chunk.count(),
          seconds,
          0);
      return seconds;
    }
  }

  /**
   * The first {@code count} logits, for {@code candidates[from, from + count)}, as calibrated watch
   * seconds capped at each video's duration, into {@code out[at, at + count)}.
   */
  static void seconds(
      WatchTimeCalibration calibration,
      VideoCatalog catalog,
      float[] logits,
      int[] candidates,
      int from,
      int count,
      float[] out,
      int at) {
    for (int i = 0; i < count; i++) {
      float s = calibration.seconds(logits[i]);
      int duration = catalog.durationSeconds(candidates[from + i]);
      // A cap ties the videos it reaches; below it the mapping keeps the ranker's order.
      out[at + i] = duration > 0 ? Math.min(s, duration) : s;
    }
  }
}
