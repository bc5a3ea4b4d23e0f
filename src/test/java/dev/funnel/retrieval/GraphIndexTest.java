package dev.funnel.retrieval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.features.UserProfile;
import dev.funnel.models.ModelBundle;
import dev.funnel.models.UserTower;
import dev.funnel.testing.TestWorld;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ANN index against the exact one, on a generated world's trained model and real users. */
class GraphIndexTest {
  private static ModelBundle bundle;
  private static ExactIndex exact;
  private static GraphIndex graph;
  private static List<float[]> users;

  @BeforeAll
  static void setUp() {
    TestWorld world = TestWorld.get();
    bundle = world.bundle;
    exact = ExactIndex.build(bundle.videoVectors(), bundle.videoBias(), bundle.dims());
    graph =
        GraphIndex.build(
            bundle.videoVectors(), bundle.videoBias(), bundle.dims(), GraphIndex.Params.defaults());
    users = new ArrayList<>();
    try (UserTower tower = bundle.newUserTower()) {
      for (UserProfile p : world.profiles.subList(0, Math.min(200, world.profiles.size()))) {
        users.add(tower.userVector(p, bundle.dataEndTs()));
      }
    }
  }

  @Test
  void search_realUserVectors_recallAtLeast95PercentOfExact() {
    IndexRecall.Result r = IndexRecall.measure(exact, graph, users, 300, 400);
    assertTrue(r.recall() >= 0.95, "recall@300 = " + r.recall());
  }

  @Test
  void pqWalk_realUserVectors_recallAtLeast95Percent_codesPersistedAndReloaded(@TempDir Path dir)
      throws IOException {
    assertEquals(0, graph.params().pqSubspaces(), "the default walks the exact rows");
    assertFalse(graph.quantizedWalk());
    GraphIndex.Params pqParams =
        GraphIndex.Params.defaults().withSearchBeam(400).withPqSubspaces(GraphIndex.Params.AUTO_PQ);
    try (GraphIndex pq =
        GraphIndex.build(bundle.videoVectors(), bundle.videoBias(), bundle.dims(), pqParams)) {
      assertEquals((bundle.dims() + 2) / 2, pq.params().pqSubspaces());
      IndexRecall.Result r = IndexRecall.measure(exact, pq, users, 300, 400);
      assertTrue(r.recall() >= 0.95, "recall@300 = " + r.recall());
      pq.save(dir, null);
      assertTrue(Files.isRegularFile(dir.resolve("index").resolve(GraphIndex.PQ_FILE)));
      GraphIndex loaded =
          GraphIndex.load(dir, bundle.videoVectors(), bundle.videoBias(), bundle.dims(), 0);
      assertEquals(pq.params(), loaded.params());
      assertTrue(loaded.quantizedWalk(), "the codes are read back, so the walk uses them");
      for (float[] u : users.subList(0, 10)) {
        assertArrayEquals(pq.search(u, 300, null).ids(), loaded.search(u, 300, null).ids());
      }
      // A graph saved without PQ over one saved with it leaves no stale codes behind.
      graph.save(dir, null);
      assertFalse(Files.exists(dir.resolve("index").resolve(GraphIndex.PQ_FILE)));
    }
  }

  @Test
  void search_scores_areExactInnerProductsBestFirst() {
    float[] u = users.get(0);
    Candidates c = graph.search(u, 50, null);
    assertEquals(50, c.size());
    for (int i = 0; i < c.size(); i++) {
      int v = c.ids()[i];
      float want = bundle.videoBias()[v];
      for (int j = 0; j < bundle.dims(); j++) {
        want += u[j] * bundle.videoVectors()[v * bundle.dims() + j];
      }
      assertEquals(want, c.scores()[i], 1e-3f * Math.max(1, Math.abs(want)));
      if (i > 0) {
        assertTrue(c.scores()[i - 1] >= c.scores()[i]);
      }
    }
  }

  @Test
  void search_excluded_neverReturned() {
    float[] u = users.get(1);
    int[] top = exact.search(u, 20, null).ids();
    java.util.Set<Integer> banned = new java.util.HashSet<>();
    for (int v : top) {
      banned.add(v);
    }
    Candidates c = graph.search(u, 100, banned::contains);
    assertEquals(100, c.size());
    for (int i = 0; i < c.size(); i++) {
      assertFalse(banned.contains(c.ids()[i]));
    }
  }

  @Test
  void saveLoad_roundTrip_sameAnswers(@TempDir Path dir) throws IOException {
    graph.save(dir, null);
    assertTrue(GraphIndex.exists(dir));
    GraphIndex loaded =
        GraphIndex.load(dir, bundle.videoVectors(), bundle.videoBias(), bundle.dims(), 0);
    assertEquals(graph.size(), loaded.size());
    assertEquals(graph.params(), loaded.params());
    for (float[] u : users.subList(0, 10)) {
      assertArrayEquals(graph.search(u, 300, null).ids(), loaded.search(u, 300, null).ids());
    }
  }

  @Test
  void load_otherModelsVectors_failsNamingTheMismatch(@TempDir Path dir) throws IOException {
    graph.save(dir, null);
    float[] fewer = new float[(bundle.videoBias().length - 1) * bundle.dims()];
    float[] fewerBias = new float[bundle.videoBias().length - 1];
    IOException e =
        assertThrows(
            IOException.class, () -> GraphIndex.load(dir, fewer, fewerBias, bundle.dims(), 0));
    assertTrue(e.getMessage().contains("videos"), e.getMessage());
    assertTrue(Files.exists(dir.resolve("index").resolve("graph.json")));
  }

  @Test
  void search_badQuery_throws() {
    assertThrows(IllegalArgumentException.class, () -> graph.search(new float[3], 10, null));
    assertThrows(IllegalArgumentException.class, () -> graph.search(users.get(0), -1, null));
    assertEquals(0, graph.search(users.get(0), 0, null).size());
  }
}
