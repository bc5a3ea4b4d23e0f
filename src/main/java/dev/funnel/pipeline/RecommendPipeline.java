package dev.funnel.pipeline;

import dev.funnel.config.ServingConfig;
import dev.funnel.features.FeatureStore;
import dev.funnel.features.UserProfile;
import dev.funnel.metrics.StageTimings;
import dev.funnel.models.VideoCatalog;
import dev.funnel.models.serving.ModelHolder;
import dev.funnel.models.serving.PredictorPool;
import dev.funnel.models.serving.ServingModel;
import dev.funnel.ranking.CandidateRanker;
import dev.funnel.ranking.ScoredVideos;
import dev.funnel.ranking.TopN;
import dev.funnel.ranking.TopicCap;
import dev.funnel.retrieval.Candidates;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The funnel for one request. The feature read runs on the caller's event loop (one GET); the rest
 * (user tower → index top-K → ranker → filters → top N, at most serving.max-per-topic of one topic
 * on the home feed) runs on a bounded {@link WorkerExecutor} with unordered {@code
 * executeBlocking}, because ordered calls from one event loop would run one at a time
 * (docs/design.md §7).
 *
 * <p>Failure policy: the returned future fails only with {@link OverloadedException} (too many
 * requests pending: answer 503 at once, checked before the feature read so that a refused request
 * costs nothing). A store failure, a model failure or a missed deadline degrades the answer
 * (anonymous profile, unranked candidates or popular videos, {@code degraded=true}) instead of
 * failing it. The store must bound its own reads ({@code features.GuardedFeatureStore} does, with
 * {@code redis.timeout-ms}): the pipeline sets no second timer. Every stage after the read consumes
 * one {@link ResolvedRequest}. Thread-safe.
 */
public final class RecommendPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(RecommendPipeline.class);

  /** Request ids of the start-up warm-up's own requests, whose store timeouts are expected. */
  public static final String WARM_UP_ID_PREFIX = "warm-up-";

  private final FeatureStore store;
  private final ModelHolder models;
  private final WorkerExecutor workers;
  private final ServingConfig serving;
  private final int maxPending;
  private final WatchNext.Params watchNext;
  private final AtomicInteger pending = new AtomicInteger();

  public RecommendPipeline(
      FeatureStore store,
      ServingModel model,
      WorkerExecutor workers,
      ServingConfig serving,
      int maxPending) {
    this(store, model, workers, serving, maxPending, WatchNext.Params.DEFAULT);
  }

  /**
   * @param watchNext how related (watch-next) requests blend the user and the playing video
   */
  public RecommendPipeline(
      FeatureStore store,
      ServingModel model,
      WorkerExecutor workers,
      ServingConfig serving,
      int maxPending,
      WatchNext.Params watchNext) {
    this.watchNext = watchNext;
    this.store = store;
    this.models = new ModelHolder(model);
    this.workers = workers;
    this.serving = serving;
    this.maxPending = maxPending;
  }

  /** The model new requests get now. */
  public ServingModel model() {
    return models.current();
  }

  /** The swappable model reference (reloads). */
  public ModelHolder models() {
    return models;
  }

  /**
   * Requests admitted and not answered yet: reading features, queued for or running on the
   * inference workers. At most {@code maxPending}; one more is refused before it reads anything.
   */
  public int pending() {
    return pending.get();
  }

  /**
   * @param requestId written in the pipeline's log lines about this request (X-Request-Id)
   */
  public Future<Recommendation> recommend(RecommendQuery query, String requestId) {
    return run(query, requestId, Trace.NONE);
  }

  /**
   * Like {@link #recommend}, and also says how the answer came about: per-stage timings and counts,
   * and for each returned video its retrieval rank and score, ranker score and features.
   */
  public Future<Explanation.Explained> explain(RecommendQuery query, String requestId) {
    ExplainTrace trace = new ExplainTrace();
    return run(query, requestId, trace)
        .map(r -> new Explanation.Explained(r, trace.finish(r.timings(), r.items().size())));
  }

  private Future<Recommendation> run(RecommendQuery query, String requestId, Trace trace) {
    // Shed before any I/O: a request refused now costs neither a feature read nor prepare.
    int admitted = pending.incrementAndGet();
    if (admitted > maxPending) {
      pending.decrementAndGet();
      return Future.failedFuture(new OverloadedException(admitted - 1));
    }
    // The request keeps the model it starts with, even if a reload swaps it meanwhile.
    ModelHolder.Lease lease = models.acquire();
    try {
      return run(query, requestId, lease.model(), trace)
          .andThen(
              ar -> {
                lease.close();
                pending.decrementAndGet();
              });
    } catch (RuntimeException e) {
      lease.close();
      pending.decrementAndGet();
      throw e;
    }
  }

  private Future<Recommendation> run(
      RecommendQuery query, String requestId, ServingModel model, Trace trace) {
    long start = System.nanoTime();
    long deadline = start + TimeUnit.MILLISECONDS.toNanos(serving.deadlineMs());
    // The store brings its own read timeout (GuardedFeatureStore, redis.timeout-ms): one timer,
    // not two.
    Future<Optional<UserProfile>> stored =
        query.userId() == null
            ? Future.succeededFuture(Optional.empty())
            : store.get(query.userId());
    return stored
        .map(p -> new Fetched(p, false))
        .recover(
            e -> {
              // An open breaker fails every read at once: that is the point, not news per request.
              // The start-up warm-up meets cold connections on purpose: not news either.
              if (!(e instanceof io.vertx.circuitbreaker.OpenCircuitException)
                  && !requestId.startsWith(WARM_UP_ID_PREFIX)) {
                LOG.warn(
                    "[{}] feature read for user {} failed, serving without it: {}",
                    requestId,
                    query.userId(),
                    e.toString());
              }
              return Future.succeededFuture(new Fetched(Optional.empty(), true));
            })
        .compose(fetched -> schedule(query, requestId, model, fetched, start, deadline, trace));
  }

  private record Fetched(Optional<UserProfile> profile, boolean failed) {}

  private Future<Recommendation> schedule(
      RecommendQuery query,
      String requestId,
      ServingModel model,
      Fetched fetched,
      long start,
      long deadline,
      Trace trace) {
    long featuresDone = System.nanoTime();
    ResolvedRequest resolved =
        ResolvedRequest.resolve(
            query,
            fetched.profile(),
            fetched.failed(),
            model.bundle().encoder(),
            query.asOfTs() > 0 ? query.asOfTs() : model.clock().nowTs());
    trace.prepared(resolved);
    if (fetched.failed()) {
      trace.because("feature store failed; served as an unknown user");
    }
    // A replayed past request: the example age the model learnt for requests at that time.
    float exampleAge =
        query.asOfTs() > 0 ? Math.max(0f, model.bundle().trainedToTs() - query.asOfTs()) : 0f;
    Request request = new Request(model, resolved, requestId, trace, exampleAge);
    return workers.executeBlocking(() -> compute(request, start, featuresDone, deadline), false);
  }

  /**
   * A resolved request and what serves it; built on the event loop. {@code exampleAge}: 0 unless
   * replayed.
   */
  private record Request(
      ServingModel model, ResolvedRequest r, String requestId, Trace trace, float exampleAge) {}

  /** Runs on an inference worker thread. */
  private Recommendation compute(Request req, long start, long featuresDone, long deadline)
      throws InterruptedException {
    ServingModel model = req.model();
    ResolvedRequest r = req.r();
    long began = System.nanoTime();
    Timer t = new Timer(start, featuresDone, began);
    int count = r.count();
    Trace trace = req.trace();
    if (began > deadline) {
      trace.because("deadline passed before inference started");
      return answer(req, fallback(req), true, t);
    }
    PredictorPool.Predictors p =
        model.predictors().borrow(Math.max(0, deadline - began), TimeUnit.NANOSECONDS);
    if (p == null) {
      trace.because("deadline passed waiting for a predictor");
      return answer(req, fallback(req), true, t);
    }
    try {
      boolean related = r.related();
      float[] item = null;
      float[] u;
      if (related) {
        // Watch-next: the query follows the playing video (WatchNext); no profile = item-to-item.
        item =
            WatchNext.itemVector(
                watchNext.item(),
                p.retriever(),
                model.bundle().encoder(),
                r.playing(),
                model.bundle().videoVectors(),
                model.bundle().dims(),
                r.nowTs());
        float[] user = r.personalized() ? p.retriever().userVector(r.user(), r.nowTs()) : null;
        u = WatchNext.blend(user, item, watchNext.alpha());
      } else {
        u = p.retriever().userVector(r.user(), r.nowTs(), req.exampleAge());
      }
      t.towerDone = System.nanoTime();
      int k = Math.max(serving.candidates(), count);
      Candidates candidates =
          related
              ? WatchNext.candidates(
                  p.retriever(), item, u, k, watchNext.neighbours(), r.excluded())
              : p.retriever().search(u, k, r.excluded());
      t.indexDone = System.nanoTime();
      trace.retrieved(model.index().size(), candidates);
      if (t.indexDone > deadline) {
        trace.because("deadline passed before the ranker");
        // No time for the ranker: the retrieval order is the best we have.
        ScoredVideos unranked =
            TopN.select(
                candidates.ids(),
                candidates.scores(),
                candidates.size(),
                r.excluded(),
                count,
                model.popular());
        return answer(req, unranked, true, t);
      }
      ScoredVideos ranked =
          related
              ? WatchNext.order(
                  p.ranker(),
                  r.user(),
                  candidates,
                  item,
                  model.bundle().videoVectors(),
                  model.bundle().videoBias(),
                  r.nowTs(),
                  r.excluded(),
                  count,
                  model.popular(),
                  watchNext.similarity())
              : TopicCap.select(
                  CandidateRanker.rank(
                      p.ranker(),
                      r.user(),
                      candidates,
                      r.nowTs(),
                      r.excluded(),
                      TopicCap.pool(count, k, serving.maxPerTopic()),
                      model.popular(),
                      model.bundle().servingOrder()),
                  count,
                  model.bundle().catalog()::topicId,
                  serving.maxPerTopic());
      t.rankDone = System.nanoTime();
      // Watch-next has its own order (the ranker blended with similarity to the playing video).
      trace.ranked(related ? "related" : model.bundle().servingOrder().label());
      return answer(req, ranked, r.storeFailed(), t);
    } catch (RuntimeException e) {
      trace.modelFailed();
      LOG.error(
          "[{}] inference failed for user {}, serving popular videos",
          req.requestId(),
          r.userId(),
          e);
      return answer(req, fallback(req), true, t);
    } finally {
      model.predictors().release(p);
    }
  }

  private static ScoredVideos fallback(Request req) {
    ResolvedRequest r = req.r();
    return TopN.select(new int[0], new float[0], 0, r.excluded(), r.count(), req.model().popular());
  }

  private static Recommendation answer(
      Request req, ScoredVideos videos, boolean degraded, Timer t) {
    ServingModel model = req.model();
    ResolvedRequest r = req.r();
    VideoCatalog catalog = model.bundle().catalog();
    List<Recommendation.Item> items = new ArrayList<>(videos.size());
    for (int i = 0; i < videos.size(); i++) {
      items.add(new Recommendation.Item(catalog.id(videos.ids()[i]), videos.scores()[i]));
    }
    req.trace().describe(videos, r, model.bundle().encoder());
    return new Recommendation(
        r.userId(), items, model.version(), degraded, r.personalized(), t.finish());
  }

  /** Stage boundaries in System.nanoTime(); 0 = the stage did not run. */
  private static final class Timer {
    final long start;
    final long featuresDone;
    final long began;
    long towerDone;
    long indexDone;
    long rankDone;

    Timer(long start, long featuresDone, long began) {
      this.start = start;
      this.featuresDone = featuresDone;
      this.began = began;
    }

    StageTimings finish() {
      long end = System.nanoTime();
      return new StageTimings(
          ms(featuresDone - start),
          ms(began - featuresDone),
          towerDone == 0 ? 0 : ms(towerDone - began),
          indexDone == 0 ? 0 : ms(indexDone - towerDone),
          rankDone == 0 ? 0 : ms(rankDone - indexDone),
          ms(end - start));
    }

    private static double ms(long nanos) {
      return nanos / 1e6;
    }
  }
}
