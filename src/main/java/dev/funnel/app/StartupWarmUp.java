package dev.funnel.app;

import dev.funnel.features.FeatureStore;
import dev.funnel.pipeline.RecommendPipeline;
import dev.funnel.pipeline.RecommendQuery;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends recommendation requests through the pipeline before the port opens, so that the first real
 * requests do not pay for the JIT compiling the hot path. At RW-1M, p99 at 200 req/s was 10.6–12.6
 * ms in the first minute after a start and 6.3 ms once about 12,000 requests had been served
 * (docs/benchmarks.md).
 *
 * <p>Users come from the feature store (a sample of stored ids, so the Redis path warms too); a
 * store that cannot list users gives anonymous requests. Failures are ignored: warming never stops
 * a start. Bounded by a request count and a time budget, whichever ends first.
 */
final class StartupWarmUp {
  private static final Logger LOG = LoggerFactory.getLogger(StartupWarmUp.class);

  private StartupWarmUp() {}

  /**
   * Runs up to {@code requests} requests, {@code concurrency} at a time, for at most {@code
   * budgetMs}; completes with the number answered.
   */
  static Future<Integer> run(
      RecommendPipeline pipeline,
      FeatureStore store,
      int requests,
      int concurrency,
      long budgetMs) {
    if (requests <= 0) {
      return Future.succeededFuture(0);
    }
    long t0 = System.nanoTime();
    long until = t0 + budgetMs * 1_000_000L;
    return store
        .sampleUserIds(1000)
        .recover(e -> Future.succeededFuture(List.of()))
        .compose(
            users -> {
              AtomicInteger next = new AtomicInteger();
              AtomicInteger answered = new AtomicInteger();
              Promise<Integer> done = Promise.promise();
              AtomicInteger lanes = new AtomicInteger(concurrency);
              for (int i = 0; i < concurrency; i++) {
                lane(pipeline, users, requests, until, next, answered, lanes, done);
              }
              return done.future();
            })
        .onSuccess(
            n ->
                LOG.info(
                    "warmed up with {} requests in {} ms",
                    n,
                    (System.nanoTime() - t0) / 1_000_000));
  }

  private static void lane(
      RecommendPipeline pipeline,
      List<String> users,
      int requests,
      long until,
      AtomicInteger next,
      AtomicInteger answered,
      AtomicInteger lanes,
      Promise<Integer> done) {
    int i = next.getAndIncrement();
    if (i >= requests || System.nanoTime() > until) {
      if (lanes.decrementAndGet() == 0) {
        done.complete(answered.get());
      }
      return;
    }
    String user = users.isEmpty() ? null : users.get(i % users.size());
    pipeline
        .recommend(RecommendQuery.forUser(user, 20), "warm-up-" + i)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                answered.incrementAndGet();
              }
              lane(pipeline, users, requests, until, next, answered, lanes, done);
            });
  }
}
