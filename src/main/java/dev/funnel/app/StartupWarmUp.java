package dev.funnel.app;

import dev.funnel.features.FeatureStore;
import dev.funnel.pipeline.RecommendPipeline;
import dev.funnel.pipeline.RecommendQuery;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends recommendation requests through the pipeline before the port opens, so that the first real
 * requests neither pay for the JIT compiling the hot path nor miss their deadline on first-time
 * costs (Redis connections, class loading, the first forward with a real history). At RW-1M, p99 at
 * 200 req/s was 10.6–12.6 ms in the first minute after a start and 6.3 ms once about 12,000
 * requests had been served (docs/benchmarks.md); on a small model without it the first answers
 * after {@code /ready} came back degraded.
 *
 * <p>The requests cycle through every path a first request can take: a stored user, an unknown
 * user, an anonymous history (the POST body), watch-next for a playing video, and {@code
 * ?explain=true}. Users come from the feature store (a sample of stored ids, so the Redis path
 * warms too); a store that cannot list users gives anonymous requests. They go to the pipeline
 * directly, not over HTTP, so the metrics count only real traffic. Failures are ignored: warming
 * never stops a start. Bounded by a request count and a time budget, whichever ends first.
 */
final class StartupWarmUp {
  private static final Logger LOG = LoggerFactory.getLogger(StartupWarmUp.class);

  static final long SAMPLE_TIMEOUT_MS = 2_000;

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
    // Bounded: a store that accepts connections but never answers must not hold up the start.
    // A store that does not answer gets no reads at all (null users: anonymous requests only), so
    // the warm-up neither waits on it nor trips its breaker; the store's own checks report it.
    long sampleMs = Math.min(budgetMs, SAMPLE_TIMEOUT_MS);
    return store
        .ping()
        .compose(v -> store.sampleUserIds(1000))
        .timeout(sampleMs, TimeUnit.MILLISECONDS)
        .<List<String>>map(ids -> ids)
        .recover(e -> Future.succeededFuture(null))
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

  /** The kinds of request {@link #query} cycles through. */
  private static final int PATHS = 5;

  private static Future<?> send(RecommendPipeline pipeline, List<String> users, int i) {
    RecommendQuery q = query(pipeline, users, i);
    String id = RecommendPipeline.WARM_UP_ID_PREFIX + i;
    return i % PATHS == 4 ? pipeline.explain(q, id) : pipeline.recommend(q, id);
  }

  /** {@code users} null: the store did not answer, so no request reads it. */
  private static RecommendQuery query(RecommendPipeline pipeline, List<String> users, int i) {
    String user = users == null || users.isEmpty() ? null : users.get(i % users.size());
    int[] popular = pipeline.model().popular();
    String video =
        pipeline.model().bundle().catalog().id(popular[(i / PATHS) % Math.min(50, popular.length)]);
    return switch (i % PATHS) {
      case 1 -> RecommendQuery.forUser(users == null ? null : "funnel-warm-up-unknown-user", 20);
      case 2 -> new RecommendQuery(null, List.of(video), null, 20, null, null);
      case 3 -> new RecommendQuery(user, null, null, 20, null, video);
      default -> RecommendQuery.forUser(user, 20);
    };
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
    send(pipeline, users, i)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                answered.incrementAndGet();
              }
              lane(pipeline, users, requests, until, next, answered, lanes, done);
            });
  }
}
