package dev.funnel.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.funnel.features.UserProfile;
import dev.funnel.testing.TestWorld;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The direct forwards ({@link DirectRanker}, {@link DirectUserTower}) give the blocks' outputs: on
 * random blocks of every shape the serving code accepts, and on the test world's trained version
 * through the bundle (what the server runs), with fewer arrays per forward.
 */
class DirectForwardTest {
  private static final int ROWS = 37;

  private static ModelShapes shapes(boolean candidateEmbedding, int h1, int h2, int h3) {
    return new ModelShapes(
        60, 7, 5, 4, 3, 64, 32, 12, 8, 4, 256, 128, 64, 32, 8, h1, h2, h3, candidateEmbedding);
  }

  /** Random values in every parameter, biases included (initialisation leaves them at 0). */
  private static void randomise(ai.djl.nn.Block block, long seed) {
    Random r = new Random(seed);
    for (Parameter p : block.getParameters().values()) {
      NDArray a = p.getArray();
      a.setRequiresGradient(false);
      float[] v = new float[(int) a.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) r.nextGaussian() * 0.3f;
      }
      a.set(v);
    }
  }

  /** Inputs with padding and unknown entries where serving has them. */
  private static RankerInputs rankerInputs(ModelShapes s, Random r) {
    RankerInputs in = new RankerInputs(ROWS);
    for (int i = 0; i < FeatureEncoder.HISTORY; i++) {
      in.history[i] = i % 4 == 0 ? 0 : 1 + r.nextInt(s.videos());
    }
    in.userLanguage[0] = r.nextInt(s.languages());
    for (int row = 0; row < ROWS; row++) {
      in.video[row] = row == ROWS - 1 ? 0 : 1 + r.nextInt(s.videos());
      in.videoLanguage[row] = r.nextInt(s.languages());
      for (int f = 0; f < FeatureEncoder.RANKER_DENSE; f++) {
        in.dense[row * FeatureEncoder.RANKER_DENSE + f] = r.nextFloat();
      }
    }
    return in;
  }

  @ParameterizedTest
  @CsvSource({
    "true, 256, 128, 64",
    "false, 256, 128, 64",
    "true, 256, 0, 64",
    "false, 0, 0, 0",
  })
  void rankerLogits_equalTheBlocks_forEveryShape(boolean candidate, int h1, int h2, int h3) {
    ModelShapes s = shapes(candidate, h1, h2, h3);
    try (NDManager m = NDManager.newBaseManager()) {
      RankerBlock block = new RankerBlock(s);
      block.initialize(m, DataType.FLOAT32, RankerBlock.inputShapes(ROWS, 1));
      randomise(block, 11);
      RankerInputs in = rankerInputs(s, new Random(5));
      float[] expected =
          block
              .forward(new ParameterStore(m, false), in.toNDList(m, ROWS, 1), false)
              .singletonOrThrow()
              .toFloatArray();
      DirectRanker.Weights w = DirectRanker.Weights.of(block, m);
      assertNotNull(w, "a CPU block under 2 GB is served directly");
      try (DirectRanker direct = new DirectRanker(w, m, null, null, ROWS)) {
        float[] got = direct.logits(in);
        assertEquals(ROWS, got.length);
        for (int i = 0; i < ROWS; i++) {
          assertEquals(
              expected[i], got[i], 1e-5f * Math.max(1f, Math.abs(expected[i])), "row " + i);
        }
      }
    }
  }

  @ParameterizedTest
  @CsvSource({"256, 128", "0, 128", "0, 0"})
  void userVector_equalsTheBlocks_forEveryDepth(int h1, int h2) {
    ModelShapes s =
        new ModelShapes(60, 7, 5, 4, 3, 64, 32, 12, 8, 4, h1, h2, 64, 32, 8, 256, 128, 64, false);
    try (NDManager m = NDManager.newBaseManager()) {
      UserTowerBlock block = new UserTowerBlock(s);
      block.initialize(m, DataType.FLOAT32, UserTowerBlock.inputShapes(1));
      randomise(block, 12);
      Random r = new Random(6);
      UserInputs in = new UserInputs(1);
      for (int i = 0; i < FeatureEncoder.HISTORY; i++) {
        in.history[i] = i % 3 == 0 ? 0 : 1 + r.nextInt(s.videos());
      }
      for (int i = 0; i < FeatureEncoder.TOKENS; i++) {
        in.tokens[i] = i < 4 ? 0 : r.nextInt(s.tokens());
      }
      in.categorical[0] = r.nextInt(s.geos());
      in.categorical[1] = r.nextInt(s.languages());
      in.categorical[2] = r.nextInt(s.genders());
      for (int i = 0; i < FeatureEncoder.USER_DENSE; i++) {
        in.dense[i] = r.nextFloat();
      }
      float[] expected =
          block
              .forward(new ParameterStore(m, false), in.toNDList(m, 1), false)
              .singletonOrThrow()
              .toFloatArray();
      DirectUserTower.Weights w = DirectUserTower.Weights.of(block);
      assertNotNull(w);
      try (DirectUserTower direct = new DirectUserTower(w, m, null, 64);
          NDManager call = m.newSubManager()) {
        float[] got = direct.forward(call, in).toFloatArray();
        assertEquals(64, got.length);
        for (int i = 0; i < 64; i++) {
          assertEquals(
              expected[i], got[i], 1e-5f * Math.max(1f, Math.abs(expected[i])), "dim " + i);
        }
      }
    }
  }

  /** The served predictors against the blocks' on a trained version and real profiles. */
  @Test
  void servedForwards_equalTheBlocks_onTheTestWorldsTrainedVersion() {
    TestWorld world = TestWorld.get();
    ModelBundle bundle = world.bundle;
    List<UserProfile> profiles = world.profiles.subList(0, Math.min(40, world.profiles.size()));
    int k = Math.min(300, bundle.catalog().size());
    long now = bundle.dataEndTs();
    try (UserTower tower = bundle.newUserTower();
        UserTower blockTower = bundle.newBlockUserTower();
        RankerModel ranker = bundle.newRanker(k);
        RankerModel blockRanker = bundle.newBlockRanker(k)) {
      assertTrue(tower instanceof DirectUserTower && ranker instanceof DirectRanker);
      int compared = 0;
      for (UserProfile p : profiles) {
        float[] u = blockTower.userVector(p, now);
        float[] got = tower.userVector(p, now);
        for (int i = 0; i < u.length; i++) {
          assertEquals(u[i], got[i], 1e-5f * Math.max(1f, Math.abs(u[i])));
        }
        int[] candidates = new int[k];
        float[] scores = new float[k];
        for (int i = 0; i < k; i++) {
          candidates[i] = (i * 7 + p.history().size()) % bundle.catalog().size();
          scores[i] = (i % 11) / 2f - 2f;
        }
        float[] expected = blockRanker.expectedWatchSeconds(p, candidates, scores, k, now);
        float[] seconds = ranker.expectedWatchSeconds(p, candidates, scores, k, now);
        for (int i = 0; i < k; i++) {
          assertEquals(expected[i], seconds[i], 1e-5f * Math.max(1f, expected[i]));
          compared++;
        }
      }
      assertEquals(profiles.size() * k, compared);
    }
  }

  /** The rows are read from the tensor's own memory: an in-place change shows through. */
  @Test
  void embeddingRows_aliasTheTensorsMemory() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray table = m.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(3, 2));
      EmbeddingRows rows = EmbeddingRows.of(table);
      assertNotNull(rows);
      table.addi(10f);
      float[] row = new float[2];
      rows.copy(1, row, 0);
      assertArrayEquals(new float[] {13f, 14f}, row);
      float[] mean = new float[2];
      rows.maskedMean(new long[] {0, 2, 1, 0}, 0, 4, mean, 0, new float[2]);
      assertArrayEquals(new float[] {14f, 15f}, mean, 1e-6f);
      rows.maskedMean(new long[] {0, 0}, 0, 2, mean, 0, new float[2]);
      assertArrayEquals(new float[] {0f, 0f}, mean);
    }
  }

  /** What the rewrite is for: far fewer arrays (op results and inputs) per forward. */
  @Test
  void directForwards_makeFewerArraysThanTheBlocks() {
    ModelShapes s = shapes(true, 256, 128, 64);
    try (NDManager m = NDManager.newBaseManager()) {
      RankerBlock ranker = new RankerBlock(s);
      ranker.initialize(m, DataType.FLOAT32, RankerBlock.inputShapes(ROWS, 1));
      RankerInputs in = rankerInputs(s, new Random(3));
      int blockArrays;
      try (NDManager call = m.newSubManager()) {
        ranker.forward(new ParameterStore(call, false), in.toNDList(call, ROWS, 1), false);
        blockArrays = call.getManagedArrays().size();
      }
      int directArrays;
      try (DirectRanker direct =
              new DirectRanker(DirectRanker.Weights.of(ranker, m), m, null, null, ROWS);
          NDManager call = m.newSubManager()) {
        direct.forward(call, in);
        directArrays = call.getManagedArrays().size();
      }
      // 2 staged inputs, then linear + ReLU per hidden layer and the output linear.
      assertEquals(2 + 3 * 2 + 1, directArrays, "block: " + blockArrays);
      assertTrue(blockArrays >= 2 * directArrays, blockArrays + " vs " + directArrays);

      UserTowerBlock tower = new UserTowerBlock(s);
      tower.initialize(m, DataType.FLOAT32, UserTowerBlock.inputShapes(1));
      UserInputs user = new UserInputs(1);
      try (NDManager call = m.newSubManager()) {
        tower.forward(new ParameterStore(call, false), user.toNDList(call, 1), false);
        blockArrays = call.getManagedArrays().size();
      }
      try (DirectUserTower direct =
              new DirectUserTower(DirectUserTower.Weights.of(tower), m, null, 64);
          NDManager call = m.newSubManager()) {
        direct.forward(call, user);
        directArrays = call.getManagedArrays().size();
      }
      // 1 staged input, then linear + ReLU per hidden layer and the output linear.
      assertEquals(1 + 2 * 2 + 1, directArrays, "block: " + blockArrays);
      assertTrue(blockArrays >= 3 * directArrays, blockArrays + " vs " + directArrays);
    }
  }
}
