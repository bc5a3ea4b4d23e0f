package dev.funnel.models.serving;

import dev.funnel.config.FunnelConfig;
import dev.funnel.features.UserProfile;
import dev.funnel.models.ModelBundle;
import dev.funnel.models.ResolvedUser;
import dev.funnel.retrieval.Candidates;
import dev.funnel.retrieval.VectorIndex;
import dev.funnel.retrieval.VectorIndexes;
import java.util.Arrays;

/**
 * One model version ready to serve: the bundle, its vector index, the per-worker predictors (all
 * warmed up) and the serving clock. Built off the request path; immutable apart from the predictor
 * pool's lending. A model reload would build a new one and swap a single reference.
 */
public final class ServingModel implements AutoCloseable {
  private final ModelBundle bundle;
  private final VectorIndex index;
  private final PredictorPool predictors;
  private final ServingClock clock;
  private final int[] popular;

  private ServingModel(
      ModelBundle bundle, VectorIndex index, PredictorPool predictors, ServingClock clock) {
    this.bundle = bundle;
    this.index = index;
    this.predictors = predictors;
    this.clock = clock;
    this.popular = bundle.popular();
  }

  /**
   * Builds the index, one predictor pair per worker, and runs every predictor once at every batch
   * shape the server uses, so that no request pays for the graph optimiser. Blocking: call it on a
   * worker thread, never on an event loop.
   */
  public static ServingModel build(ModelBundle bundle, FunnelConfig config) {
    if (bundle.catalog().size() == 0) {
      throw new IllegalArgumentException("model " + bundle.version() + " has no videos");
    }
    VectorIndex index =
        VectorIndexes.open(bundle, config.inference().index(), config.inference().indexBeam());
    ServingClock clock = ServingClock.of(config.serving().clock(), bundle.dataEndTs());
    PredictorPool pool =
        PredictorPool.create(
            bundle, index, config.inference().workers(), config.serving().candidates());
    try {
      warmUp(bundle, index, pool, clock, config);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
    return new ServingModel(bundle, index, pool, clock);
  }

  /**
   * A serving model from parts already built (and warmed, if they need it), without the warm-up and
   * checks of {@link #build}: for tests that serve fake stages.
   */
  public static ServingModel of(
      ModelBundle bundle, VectorIndex index, PredictorPool predictors, ServingClock clock) {
    return new ServingModel(bundle, index, predictors, clock);
  }

  private static void warmUp(
      ModelBundle bundle,
      VectorIndex index,
      PredictorPool pool,
      ServingClock clock,
      FunnelConfig config) {
    int k = config.serving().candidates();
    int[] shapes =
        Arrays.stream(new int[] {k, Math.max(k, config.serving().maxCount())})
            .map(n -> Math.min(n, index.size()))
            .distinct()
            .toArray();
    ResolvedUser anonymous = bundle.encoder().resolve(UserProfile.anonymous(""));
    long now = clock.nowTs();
    for (PredictorPool.Predictors p : pool.all()) {
      float[] u = p.retriever().userVector(anonymous, now);
      for (int n : shapes) {
        Candidates c = p.retriever().search(u, n, null);
        p.ranker().score(anonymous, c, now);
      }
    }
  }

  public ModelBundle bundle() {
    return bundle;
  }

  public String version() {
    return bundle.version();
  }

  public VectorIndex index() {
    return index;
  }

  public PredictorPool predictors() {
    return predictors;
  }

  public ServingClock clock() {
    return clock;
  }

  /** Most popular videos first (dense ids); do not modify. */
  public int[] popular() {
    return popular;
  }

  /** Closes the predictors and the index; the bundle belongs to whoever loaded it. */
  @Override
  public void close() {
    predictors.close();
    if (index instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception ignored) {
        // heap-only state
      }
    }
  }
}
