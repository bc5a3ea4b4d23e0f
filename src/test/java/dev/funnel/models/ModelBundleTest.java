package dev.funnel.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.funnel.features.UserProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelBundleTest {
  @TempDir static Path root;
  static RandomBundle.Parts parts;
  static ModelBundle bundle;

  @BeforeAll
  static void writeAndLoad() throws IOException {
    parts = RandomBundle.write(root);
    bundle = ModelBundle.load(root); // through LATEST
  }

  @AfterAll
  static void close() {
    bundle.close();
    parts.manager().close();
  }

  @Test
  void load_modelsRootFollowsLatest() throws IOException {
    assertEquals("random-1", bundle.version());
    assertEquals("random-1", Files.readString(root.resolve("LATEST")).trim());
    try (ModelBundle direct = ModelBundle.load(parts.versionDir())) {
      assertEquals(bundle.version(), direct.version());
    }
  }

  @Test
  void load_readsVectorsCatalogAndPopular() {
    assertEquals(RandomBundle.VIDEOS, bundle.catalog().size());
    assertEquals(RandomBundle.VIDEOS * 64, bundle.videoVectors().length);
    assertEquals(RandomBundle.VIDEOS, bundle.videoBias().length);
    assertArrayEquals(new int[] {3, 1, 2}, bundle.popular());
    assertEquals(RandomBundle.DATA_END, bundle.dataEndTs());
    assertEquals(64, bundle.dims());
    assertEquals("t7", bundle.catalog().topic(7));
  }

  @Test
  void userVector_sameAfterSaveAndLoad() {
    UserProfile p = RandomBundle.profile();
    float[] expected;
    try (NDManager m = NDManager.newBaseManager()) {
      UserInputs in = new UserInputs(1);
      parts.encoder().encodeUser(p, in, 0);
      NDList out = parts.tower().forward(new ParameterStore(m, false), in.toNDList(m, 1), false);
      expected = out.singletonOrThrow().toFloatArray();
    }
    try (UserTower tower = bundle.newUserTower()) {
      assertArrayEquals(expected, tower.userVector(p, RandomBundle.DATA_END), 1e-6f);
    }
  }

  @Test
  void expectedWatchSeconds_sameAfterSaveAndLoad() {
    UserProfile p = RandomBundle.profile();
    int[] candidates = {5, 9, 42, 3};
    float[] scores = {1.5f, -0.2f, 0.3f, 2f};
    float[] expected = new float[4];
    try (NDManager m = NDManager.newBaseManager()) {
      RankerInputs in = new RankerInputs(4);
      parts.encoder().encodeRanker(p, candidates, scores, 0, 4, RandomBundle.DATA_END, in);
      float[] logits =
          parts
              .ranker()
              .forward(new ParameterStore(m, false), in.toNDList(m, 4, 1), false)
              .singletonOrThrow()
              .toFloatArray();
      for (int i = 0; i < 4; i++) {
        expected[i] = (float) Math.exp(logits[i]);
      }
    }
    try (RankerModel ranker = bundle.newRanker()) {
      float[] got = ranker.expectedWatchSeconds(p, candidates, scores, 4, RandomBundle.DATA_END);
      for (int i = 0; i < 4; i++) {
        assertEquals(expected[i], got[i], 1e-4f * expected[i]);
      }
    }
  }

  @Test
  void expectedWatchSeconds_paddedAndChunkedCountsAgree() {
    UserProfile p = RandomBundle.profile();
    int n = 700;
    int[] candidates = new int[n];
    float[] scores = new float[n];
    for (int i = 0; i < n; i++) {
      candidates[i] = (i * 31) % RandomBundle.VIDEOS;
      scores[i] = (i % 17) / 4f;
    }
    try (RankerModel ranker = bundle.newRanker()) {
      float[] all = ranker.expectedWatchSeconds(p, candidates, scores, n, RandomBundle.DATA_END);
      float[] exactlyK =
          ranker.expectedWatchSeconds(p, candidates, scores, 300, RandomBundle.DATA_END);
      float[] few = ranker.expectedWatchSeconds(p, candidates, scores, 7, RandomBundle.DATA_END);
      assertEquals(n, all.length);
      assertEquals(300, exactlyK.length);
      assertEquals(7, few.length);
      for (int i = 0; i < 300; i++) {
        assertEquals(all[i], exactlyK[i], 1e-5f * all[i]);
      }
      for (int i = 0; i < 7; i++) {
        assertEquals(all[i], few[i], 1e-5f * all[i]);
      }
      for (float s : all) {
        assertTrue(s > 0 && Float.isFinite(s));
      }
      assertEquals(0, ranker.expectedWatchSeconds(p, candidates, scores, 0, 0L).length);
    }
  }

  @Test
  void predictors_doNotGrowModelMemory() {
    UserProfile p = RandomBundle.profile();
    int[] candidates = {1, 2, 3};
    float[] scores = {0f, 0f, 0f};
    try (UserTower tower = bundle.newUserTower();
        RankerModel ranker = bundle.newRanker()) {
      tower.userVector(p, 0L);
      ranker.expectedWatchSeconds(p, candidates, scores, 3, 0L);
      int before = bundle.openArrays();
      for (int i = 0; i < 200; i++) {
        tower.userVector(p, 0L);
        ranker.expectedWatchSeconds(p, candidates, scores, 3, 0L);
      }
      assertEquals(before, bundle.openArrays());
    }
  }

  @Test
  void load_missingDirectoryFailsClearly() {
    IOException e =
        assertThrows(IOException.class, () -> ModelBundle.load(root.resolve("nothing-here")));
    assertTrue(e.getMessage().contains("nothing-here"), e.getMessage());
  }

  @Test
  void servingOrder_absentMeansRanker_recordedRoundTrips_unknownFailsTheLoad() throws Exception {
    assertEquals(ServingOrder.RANKER, bundle.servingOrder(), "versions without serving.order");
    Path copy = root.resolve("ordered");
    Files.createDirectories(copy);
    try (var files = Files.list(parts.versionDir())) {
      for (Path f : files.toList()) {
        Files.copy(f, copy.resolve(f.getFileName()));
      }
    }
    Path manifest = copy.resolve(BundleFiles.MANIFEST);
    io.vertx.core.json.JsonObject json =
        new io.vertx.core.json.JsonObject(Files.readString(manifest));
    Files.writeString(manifest, json.put("serving", ServingOrder.RETRIEVAL.toJson()).encode());
    try (ModelBundle ordered = ModelBundle.load(copy)) {
      assertEquals(ServingOrder.RETRIEVAL, ordered.servingOrder());
      assertEquals("retrieval", ordered.manifest().getJsonObject("serving").getString("order"));
    }
    Files.writeString(
        manifest,
        json.put("serving", new io.vertx.core.json.JsonObject().put("order", "x")).encode());
    IOException e = assertThrows(IOException.class, () -> ModelBundle.load(copy));
    assertTrue(e.getMessage().contains("serving order"), e.getMessage());
  }

  @Test
  void load_truncatedVectorsFailsClearly() throws IOException {
    Path copy = root.resolve("broken");
    Files.createDirectories(copy);
    try (var files = Files.list(parts.versionDir())) {
      for (Path f : files.toList()) {
        Files.copy(f, copy.resolve(f.getFileName()));
      }
    }
    Files.write(copy.resolve(BundleFiles.VIDEO_VECTORS), new byte[12]);
    IOException e = assertThrows(IOException.class, () -> ModelBundle.load(copy));
    assertTrue(e.getMessage().contains("video_vectors.f32"), e.getMessage());
  }
}
