package dev.funnel.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.config.FunnelConfig;
import dev.funnel.features.EmbeddedFeatureStore;
import dev.funnel.models.serving.ServingModel;
import dev.funnel.pipeline.RecommendPipeline;
import dev.funnel.testing.TestWorld;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The warm-up a large model gets before the port opens, run here on the test world's model. */
class StartupWarmUpTest {
  private final TestWorld world = TestWorld.get();
  private Vertx vertx;
  private WorkerExecutor workers;
  private ServingModel model;
  private FunnelConfig config;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    workers = vertx.createSharedWorkerExecutor("warm-up-test", 2, 60, TimeUnit.SECONDS);
    config = FunnelConfig.load(null, Map.of(), Map.of("serving.deadline-ms", "2000"));
    model = ServingModel.build(world.bundle, config);
  }

  @AfterEach
  void tearDown() throws Exception {
    workers.close().await(10, TimeUnit.SECONDS);
    model.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private RecommendPipeline pipeline(EmbeddedFeatureStore store) {
    return new RecommendPipeline(store, model, workers, config.serving(), 256);
  }

  @Test
  void run_storedUsers_answersEveryRequestAndLeavesNothingPending() throws Exception {
    EmbeddedFeatureStore store = new EmbeddedFeatureStore();
    store.putAll(world.profiles).await(30, TimeUnit.SECONDS);
    RecommendPipeline pipeline = pipeline(store);
    int answered = StartupWarmUp.run(pipeline, store, 300, 2, 60_000).await(60, TimeUnit.SECONDS);
    assertEquals(300, answered);
    assertEquals(0, pipeline.pending());
  }

  @Test
  void run_storeWithoutUsers_warmsWithAnonymousRequests() throws Exception {
    EmbeddedFeatureStore empty = new EmbeddedFeatureStore();
    int answered =
        StartupWarmUp.run(pipeline(empty), empty, 50, 3, 60_000).await(60, TimeUnit.SECONDS);
    assertEquals(50, answered);
  }

  @Test
  void run_budgetSpent_stopsEarly() throws Exception {
    EmbeddedFeatureStore store = new EmbeddedFeatureStore();
    store.putAll(world.profiles).await(30, TimeUnit.SECONDS);
    int answered =
        StartupWarmUp.run(pipeline(store), store, 1_000_000, 2, 200).await(60, TimeUnit.SECONDS);
    assertTrue(answered < 1_000_000, "stopped by the time budget, answered " + answered);
  }
}
