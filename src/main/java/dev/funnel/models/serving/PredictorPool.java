package dev.funnel.models.serving;

import dev.funnel.models.ModelBundle;
import dev.funnel.models.RankerModel;
import dev.funnel.models.UserTower;
import dev.funnel.ranking.ModelRanker;
import dev.funnel.ranking.Ranker;
import dev.funnel.retrieval.CandidateRetriever;
import dev.funnel.retrieval.TowerRetriever;
import dev.funnel.retrieval.VectorIndex;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One (retrieval, ranking) pair of stages per inference worker. DJL predictors are not thread-safe,
 * so a worker borrows a pair for one request and always gives it back; with as many pairs as worker
 * threads a borrow never waits. The queue is bounded: giving back more than was lent fails loudly.
 */
public final class PredictorPool implements AutoCloseable {

  /** The per-thread stages of one worker; used by one thread at a time. */
  public record Predictors(CandidateRetriever retriever, Ranker ranker) {}

  private final BlockingQueue<Predictors> idle;
  private final List<Predictors> all;

  private PredictorPool(List<Predictors> all) {
    this.all = List.copyOf(all);
    this.idle = new ArrayBlockingQueue<>(all.size(), false, all);
  }

  /**
   * Creates {@code size} pairs from the bundle's DJL predictors and the shared index (blocking:
   * loads native predictors). Rankers run forwards of exactly {@code rankerBatch} rows (the
   * retrieval K), so libtorch sees one shape.
   */
  public static PredictorPool create(
      ModelBundle bundle, VectorIndex index, int size, int rankerBatch) {
    List<Predictors> pairs = new ArrayList<>(size);
    try {
      for (int i = 0; i < size; i++) {
        UserTower tower = bundle.newUserTower();
        RankerModel ranker;
        try {
          ranker = bundle.newRanker(rankerBatch);
        } catch (RuntimeException e) {
          tower.close();
          throw e;
        }
        pairs.add(new Predictors(new TowerRetriever(tower, index), new ModelRanker(ranker)));
      }
    } catch (RuntimeException e) {
      pairs.forEach(PredictorPool::closeQuietly);
      throw e;
    }
    return new PredictorPool(pairs);
  }

  /**
   * A pool of stages built elsewhere (tests: fake stages), one pair per worker; {@link #close()}
   * closes the stages that are {@link AutoCloseable}.
   */
  public static PredictorPool of(List<Predictors> pairs) {
    if (pairs.isEmpty()) {
      throw new IllegalArgumentException("a pool needs at least one pair");
    }
    return new PredictorPool(pairs);
  }

  /** A pair, or null when none became free within the timeout. */
  public Predictors borrow(long timeout, TimeUnit unit) throws InterruptedException {
    return idle.poll(timeout, unit);
  }

  public void release(Predictors p) {
    if (!idle.offer(p)) {
      throw new IllegalStateException("predictor returned twice");
    }
  }

  public int size() {
    return all.size();
  }

  /** Every pair, for warm-up before any request; not for use while serving. */
  List<Predictors> all() {
    return all;
  }

  @Override
  public void close() {
    all.forEach(PredictorPool::closeQuietly);
  }

  private static void closeQuietly(Predictors p) {
    closeQuietly(p.retriever());
    closeQuietly(p.ranker());
  }

  private static void closeQuietly(Object stage) {
    if (stage instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception ignored) {
        // closing native resources at shutdown: nothing useful to do on failure
      }
    }
  }
}
