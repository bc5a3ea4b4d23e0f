package dev.funnel.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.config.ServingConfig;
import dev.funnel.config.ServingConfig.ClockMode;
import dev.funnel.events.EventsResult;
import dev.funnel.events.UserEvent;
import dev.funnel.features.EmbeddedFeatureStore;
import dev.funnel.features.FeatureStore;
import dev.funnel.features.UserProfile;
import dev.funnel.models.BundleFiles;
import dev.funnel.models.ModelBundle;
import dev.funnel.models.ResolvedUser;
import dev.funnel.models.ServingOrder;
import dev.funnel.models.serving.PredictorPool;
import dev.funnel.models.serving.ServingClock;
import dev.funnel.models.serving.ServingModel;
import dev.funnel.ranking.Ranker;
import dev.funnel.retrieval.CandidateRetriever;
import dev.funnel.retrieval.Candidates;
import dev.funnel.retrieval.VectorIndex;
import dev.funnel.testing.TestWorld;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline's policies (shedding, deadline cuts, fallback to popular videos) with fake stages
 * that stall or fail on purpose. Everything else is real: the test world's catalogue and popular
 * list, its exact index behind the fake tower, the embedded feature store, Vert.x workers.
 */
class RecommendPipelineTest {
  private static final int COUNT = 5;
  private static final RecommendQuery ANONYMOUS =
      new RecommendQuery(null, null, null, COUNT, null, null);

  private final ModelBundle bundle = TestWorld.get().bundle;
  private final VectorIndex index = VectorIndex.exact(bundle);
  private Vertx vertx;
  private WorkerExecutor workers;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    workers = vertx.createSharedWorkerExecutor("pipeline-test", 2, 60, TimeUnit.SECONDS);
  }

  @AfterEach
  void tearDown() throws Exception {
    workers.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void recommend_allStagesAnswer_ordersByRankerScore() throws Exception {
    Tower tower = new Tower();
    // The ranker reverses the retrieval order: the answer must follow the ranker, not the index.
    Ranker reversing =
        (profile, c, now) -> {
          float[] s = new float[c.size()];
          for (int i = 0; i < s.length; i++) {
            s[i] = i;
          }
          return s;
        };
    RecommendPipeline pipeline = pipeline(tower, reversing, 1_000, 16, new CountingStore());
    Recommendation r = pipeline.recommend(ANONYMOUS, "t").await(10, TimeUnit.SECONDS);
    assertFalse(r.degraded());
    Candidates retrieved = index.search(new float[bundle.dims()], 50, null);
    List<String> expected = new ArrayList<>();
    for (int i = retrieved.size() - 1; expected.size() < COUNT; i--) {
      expected.add(bundle.catalog().id(retrieved.ids()[i]));
    }
    assertEquals(expected, ids(r));
    Explanation.Explained e = pipeline.explain(ANONYMOUS, "t").await(10, TimeUnit.SECONDS);
    assertEquals("ranked", e.explanation().path());
    assertEquals("ranker", e.explanation().order());
    assertEquals(null, e.explanation().reason());
    assertEquals(expected, ids(e.recommendation()), "explaining does not change the answer");
  }

  @Test
  void recommend_versionRecordsRetrievalOrder_servesRetrievalOrderWithRankerSeconds(
      @TempDir Path tmp) throws Exception {
    Path copy = tmp.resolve(bundle.version());
    Files.createDirectories(copy);
    try (var files = Files.list(bundle.directory())) {
      for (Path f : files.toList()) {
        Files.copy(f, copy.resolve(f.getFileName()));
      }
    }
    Path manifest = copy.resolve(BundleFiles.MANIFEST);
    JsonObject json = new JsonObject(Files.readString(manifest));
    Files.writeString(
        manifest, json.put("serving", ServingOrder.RETRIEVAL.toJson()).encodePrettily());
    try (ModelBundle retrievalOrder = ModelBundle.load(copy)) {
      assertEquals(ServingOrder.RETRIEVAL, retrievalOrder.servingOrder());
      AtomicInteger calls = new AtomicInteger();
      // The ranker reverses the retrieval order: the answer must follow the index all the same.
      Ranker reversing =
          (profile, c, now) -> {
            calls.incrementAndGet();
            float[] s = new float[c.size()];
            for (int i = 0; i < s.length; i++) {
              s[i] = i;
            }
            return s;
          };
      PredictorPool pool =
          PredictorPool.of(List.of(new PredictorPool.Predictors(new Tower(), reversing)));
      ServingModel model =
          ServingModel.of(
              retrievalOrder,
              index,
              pool,
              ServingClock.of(ClockMode.DATA, retrievalOrder.dataEndTs()));
      RecommendPipeline pipeline =
          new RecommendPipeline(
              new CountingStore(),
              model,
              workers,
              new ServingConfig(50, 10, 100, 1_000, ClockMode.DATA),
              16);
      Explanation.Explained e = pipeline.explain(ANONYMOUS, "t").await(10, TimeUnit.SECONDS);
      Recommendation r = e.recommendation();
      assertFalse(r.degraded());
      assertEquals(1, calls.get(), "the ranker still scores the candidates");
      Candidates retrieved = index.search(new float[bundle.dims()], 50, null);
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < COUNT; i++) {
        expected.add(bundle.catalog().id(retrieved.ids()[i]));
        assertEquals(i, r.items().get(i).score(), "each item keeps the ranker's score");
      }
      assertEquals(expected, ids(r));
      assertEquals("ranked", e.explanation().path());
      assertEquals("retrieval", e.explanation().order());
    }
  }

  @Test
  void recommend_overloaded_shedsBeforeReadingFeatures() throws Exception {
    Tower tower = new Tower();
    tower.gate = new CountDownLatch(1);
    CountingStore store = new CountingStore();
    RecommendPipeline pipeline = pipeline(tower, new Scores(), 1_000, 1, store);

    Future<Recommendation> first = pipeline.recommend(RecommendQuery.forUser("u1", COUNT), "1");
    assertTrue(tower.entered.await(10, TimeUnit.SECONDS), "the first request reaches a worker");
    Future<Recommendation> second = pipeline.recommend(RecommendQuery.forUser("u2", COUNT), "2");

    assertTrue(second.failed());
    assertInstanceOf(OverloadedException.class, second.cause());
    assertEquals(1, store.gets.get(), "the shed request never read the feature store");
    tower.gate.countDown();
    first.await(10, TimeUnit.SECONDS);
    assertEquals(0, pipeline.pending());
  }

  @Test
  void recommend_deadlinePassesInTower_servesRetrievalOrderWithoutRanker() throws Exception {
    Tower tower = new Tower();
    // A deadline long enough for a busy machine to reach the worker; the tower outlasts it.
    tower.sleepMs = 1_100;
    Scores ranker = new Scores();
    RecommendPipeline pipeline = pipeline(tower, ranker, 1_000, 16, new CountingStore());
    Explanation.Explained e = pipeline.explain(ANONYMOUS, "t").await(10, TimeUnit.SECONDS);
    assertTrue(e.recommendation().degraded());
    assertEquals("unranked", e.explanation().path());
    assertEquals("deadline passed before the ranker", e.explanation().reason());
    assertEquals(0, ranker.calls.get(), "no time was left for the ranker");
    Candidates retrieved = index.search(new float[bundle.dims()], COUNT, null);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < COUNT; i++) {
      expected.add(bundle.catalog().id(retrieved.ids()[i]));
    }
    assertEquals(expected, ids(e.recommendation()));
  }

  @Test
  void recommend_deadlinePassedBeforeWorker_servesPopularWithoutModels() throws Exception {
    Tower tower = new Tower();
    RecommendPipeline pipeline = pipeline(tower, new Scores(), 0, 16, new CountingStore());
    Explanation.Explained e = pipeline.explain(ANONYMOUS, "t").await(10, TimeUnit.SECONDS);
    assertTrue(e.recommendation().degraded());
    assertEquals("popular", e.explanation().path());
    assertEquals(0, tower.calls.get());
    assertEquals(popular(), ids(e.recommendation()));
  }

  @Test
  void recommend_rankerFails_servesPopularDegraded() throws Exception {
    Ranker failing =
        (profile, c, now) -> {
          throw new IllegalStateException("native call failed");
        };
    RecommendPipeline pipeline = pipeline(new Tower(), failing, 1_000, 16, new CountingStore());
    Explanation.Explained e = pipeline.explain(ANONYMOUS, "t").await(10, TimeUnit.SECONDS);
    assertTrue(e.recommendation().degraded());
    assertEquals("popular", e.explanation().path());
    assertEquals(popular(), ids(e.recommendation()));
    assertEquals(0, pipeline.pending());
  }

  @Test
  void recommend_storeFails_servesAnonymousDegraded() throws Exception {
    CountingStore store = new CountingStore();
    store.fail = true;
    RecommendPipeline pipeline = pipeline(new Tower(), new Scores(), 1_000, 16, store);
    Recommendation r =
        pipeline.recommend(RecommendQuery.forUser("u1", COUNT), "t").await(10, TimeUnit.SECONDS);
    assertTrue(r.degraded());
    assertFalse(r.personalized());
    assertEquals(COUNT, r.items().size());
  }

  private RecommendPipeline pipeline(
      CandidateRetriever retriever, Ranker ranker, int deadlineMs, int maxPending, FeatureStore s) {
    PredictorPool pool = PredictorPool.of(List.of(new PredictorPool.Predictors(retriever, ranker)));
    ServingModel model =
        ServingModel.of(bundle, index, pool, ServingClock.of(ClockMode.DATA, bundle.dataEndTs()));
    ServingConfig serving = new ServingConfig(50, 10, 100, deadlineMs, ClockMode.DATA);
    return new RecommendPipeline(s, model, workers, serving, maxPending);
  }

  private List<String> popular() {
    List<String> out = new ArrayList<>();
    for (int i = 0; out.size() < COUNT; i++) {
      out.add(bundle.catalog().id(bundle.popular()[i]));
    }
    return out;
  }

  private static List<String> ids(Recommendation r) {
    return r.items().stream().map(Recommendation.Item::video).toList();
  }

  /** A user tower that answers zeros (so the index orders by bias), optionally late or gated. */
  private final class Tower implements CandidateRetriever {
    final AtomicInteger calls = new AtomicInteger();
    final CountDownLatch entered = new CountDownLatch(1);
    volatile CountDownLatch gate;
    volatile long sleepMs;

    @Override
    public float[] userVector(ResolvedUser user, long nowTs) {
      calls.incrementAndGet();
      entered.countDown();
      try {
        if (gate != null) {
          gate.await(10, TimeUnit.SECONDS);
        }
        Thread.sleep(sleepMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return new float[bundle.dims()];
    }

    @Override
    public Candidates search(float[] u, int k, IntPredicate excluded) {
      return index.search(u, k, excluded);
    }
  }

  /** A ranker that keeps the retrieval scores and counts its calls. */
  private static final class Scores implements Ranker {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public float[] score(ResolvedUser user, Candidates c, long nowTs) {
      calls.incrementAndGet();
      return java.util.Arrays.copyOf(c.scores(), c.size());
    }
  }

  /** The embedded store, counting reads; it can be told to fail every read. */
  private static final class CountingStore implements FeatureStore {
    final EmbeddedFeatureStore store = new EmbeddedFeatureStore();
    final AtomicInteger gets = new AtomicInteger();
    volatile boolean fail;

    @Override
    public Future<Optional<UserProfile>> get(String userId) {
      gets.incrementAndGet();
      return fail
          ? Future.failedFuture(new IllegalStateException("store down"))
          : store.get(userId);
    }

    @Override
    public Future<Void> putAll(Collection<UserProfile> profiles) {
      return store.putAll(profiles);
    }

    @Override
    public Future<EventsResult> applyEvents(List<UserEvent> events) {
      return store.applyEvents(events);
    }

    @Override
    public Future<Void> ping() {
      return store.ping();
    }

    @Override
    public String kind() {
      return "counting";
    }

    @Override
    public Future<Void> close() {
      return store.close();
    }
  }
}
