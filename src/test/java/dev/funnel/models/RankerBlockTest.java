package dev.funnel.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

/** Whether the ranker reads the candidate's own id embedding, as its shapes say. */
class RankerBlockTest {
  private static ModelShapes shapes(boolean candidateEmbedding) {
    ModelShapes s = ModelShapes.standard(50, 3, 3, 3, 3);
    return ModelShapes.fromJson(s.toJson().put("ranker_candidate_embedding", candidateEmbedding));
  }

  /** Logits of two rows that differ only in the candidate video (same language and features). */
  private static float[] twoCandidates(ModelShapes shapes) {
    try (NDManager manager = NDManager.newBaseManager()) {
      RankerBlock ranker = new RankerBlock(shapes);
      ranker.initialize(manager, DataType.FLOAT32, RankerBlock.inputShapes(2, 2));
      RankerInputs in = new RankerInputs(2);
      for (int r = 0; r < 2; r++) {
        in.video[r] = r == 0 ? 7 : 31;
        in.videoLanguage[r] = 1;
        in.userLanguage[r] = 2;
        in.history[r * FeatureEncoder.HISTORY] = 5;
        for (int f = 0; f < FeatureEncoder.RANKER_DENSE; f++) {
          in.dense[r * FeatureEncoder.RANKER_DENSE + f] = 0.1f * f;
        }
      }
      return ranker
          .forward(new ParameterStore(manager, false), in.toNDList(manager, 2, 2), false)
          .singletonOrThrow()
          .toFloatArray();
    }
  }

  @Test
  void forward_withoutCandidateEmbedding_candidateIdDoesNotMatter() {
    float[] logits = twoCandidates(shapes(false));
    assertEquals(logits[0], logits[1], 1e-6f);
  }

  @Test
  void forward_withCandidateEmbedding_candidateIdMatters() {
    float[] logits = twoCandidates(shapes(true));
    assertTrue(Math.abs(logits[0] - logits[1]) > 1e-6f, logits[0] + " vs " + logits[1]);
  }

  @Test
  void shapes_standardWithoutAndOldManifestsWithCandidateEmbedding() {
    ModelShapes standard = ModelShapes.standard(50, 3, 3, 3, 3);
    assertFalse(standard.rankerCandidateEmbedding());
    var old = standard.toJson();
    old.remove("ranker_candidate_embedding");
    ModelShapes before = ModelShapes.fromJson(old);
    assertTrue(before.rankerCandidateEmbedding());
    assertEquals(standard.rankerInput() + standard.rankerVideoEmbedding(), before.rankerInput());
    assertEquals(standard, ModelShapes.fromJson(standard.toJson()));
  }
}
