package dev.funnel.models;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslateException;
import ai.djl.translate.TranslatorContext;
import dev.funnel.features.UserProfile;

/**
 * {@link RankerModel} over a DJL Predictor. Every forward has exactly {@code batch} rows: fewer
 * candidates are padded, more are scored in chunks, so libtorch never sees a new shape (new shapes
 * cost re-planning stalls, DESIGN.md §7). NDArrays live in DJL's per-call context manager.
 */
final class DjlRanker implements RankerModel {
  private final Predictor<Chunk, float[]> predictor;
  private final int batch;

  /** One forward's worth of candidates: [from, from + count) of the caller's arrays. */
  record Chunk(
      UserProfile profile, int[] candidates, float[] scores, int from, int count, long nowTs) {}

  DjlRanker(Model model, FeatureEncoder encoder, int batch) {
    this.batch = batch;
    this.predictor = model.newPredictor(new Encoding(encoder, batch));
  }

  @Override
  public float[] expectedWatchSeconds(
      UserProfile profile, int[] candidates, float[] retrievalScores, int count, long nowTs) {
    if (count < 0 || count > candidates.length || count > retrievalScores.length) {
      throw new IllegalArgumentException(
          "count "
              + count
              + " exceeds the candidates ("
              + candidates.length
              + ") or scores ("
              + retrievalScores.length
              + ")");
    }
    float[] out = new float[count];
    try {
      for (int from = 0; from < count; from += batch) {
        int n = Math.min(batch, count - from);
        float[] chunk =
            predictor.predict(new Chunk(profile, candidates, retrievalScores, from, n, nowTs));
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
    private final RankerInputs inputs;
    private int count;

    Encoding(FeatureEncoder encoder, int batch) {
      this.encoder = encoder;
      this.inputs = new RankerInputs(batch, true);
    }

    @Override
    public NDList processInput(TranslatorContext ctx, Chunk c) {
      encoder.encodeRanker(
          c.profile(), c.candidates(), c.scores(), c.from(), c.count(), c.nowTs(), inputs);
      count = c.count();
      return inputs.toNDList(ctx.getNDManager(), inputs.capacity(), 1);
    }

    @Override
    public float[] processOutput(TranslatorContext ctx, NDList list) {
      float[] logits = list.singletonOrThrow().toFloatArray();
      float[] seconds = new float[count];
      for (int i = 0; i < count; i++) {
        seconds[i] = (float) Math.exp(logits[i]);
      }
      return seconds;
    }
  }
}
