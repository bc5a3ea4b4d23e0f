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
import dev.funnel.ranking.ExclusionSet;
import dev.funnel.ranking.ScoredVideos;
import dev.funnel.ranking.TopN;
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
 * (user tower → index top-K → ranker → filters → top N) runs on a bounded {@link WorkerExecutor}
 * with unordered {@code executeBlocking}, because ordered calls from one event loop would run one
 * at a time (docs/design.md §7).
 *
 * <p>Failure policy: the returned future fails only with {@link OverloadedException} (too many
 * requests pending: answer 503 at once, checked before the feature read so that a refused request
 * costs nothing). A store failure, a model failure or a missed deadline degrades the answer
 * (anonymous profile, unranked candidates or popular videos, {@code degraded=true}) instead of
 * failing it. Thread-safe.
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
    Future<Optional<UserProfile>> stored;
    if (query.userId() == null) {
      stored = Future.succeededFuture(Optional.empty());
    } else {
      stored = store.get(query.userId()).timeout(serving.deadlineMs(), TimeUnit.MILLISECONDS);
    }
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
    Request request = prepare(query, requestId, model, fetched, trace);
    return workers.executeBlocking(() -> compute(request, start, featuresDone, deadline), false);
  }

  /** The merged profile, exclusions and flags; cheap enough for the event loop. */
  private record Request(
      ServingModel model,
      RecommendQuery query,
      String requestId,
      UserProfile profile,
      ExclusionSet excluded,
      int playing,
      boolean personalized,
      boolean storeFailed,
      long nowTs,
      Trace trace) {}

  private Request prepare(
      RecommendQuery q, String requestId, ServingModel model, Fetched fetched, Trace trace) {
    VideoCatalog catalog = model.bundle().catalog();
    long now = model.clock().nowTs();
    UserProfile base =
        fetched
            .profile()
            .orElseGet(() -> UserProfile.anonymous(q.userId() == null ? "" : q.userId()));
    // Exclude everything the user watched (stored and given), not only the last 50 kept. Each id
    // is looked up once: on a 1M-video catalogue these lookups dominate the event loop's time.
    int[] ids = new int[base.history().size() + q.history().size() + q.exclude().size() + 1];
    int n = 0;
    for (UserProfile.Watched w : base.history()) {
      ids[n++] = catalog.index(w.video());
    }
    List<UserProfile.Watched> history = new ArrayList<>(base.history());
    boolean bodyHistory = false;
    for (String video : q.history()) {
      int dense = catalog.index(video);
      ids[n++] = dense;
      if (dense >= 0) {
        history.add(new UserProfile.Watched(video, now));
        bodyHistory = true;
      }
    }
    if (q.playing() != null) {
      history.add(new UserProfile.Watched(q.playing(), now));
    }
    RequestContext c = q.context();
    List<String> searches = new ArrayList<>(base.searchTokens());
    if (c.searches() != null) {
      searches.addAll(c.searches());
    }
    UserProfile profile =
        new UserProfile(
            base.userId(),
            c.geo() != null ? c.geo() : base.geo(),
            c.language() != null ? c.language() : base.language(),
            c.gender() != null ? c.gender() : base.gender(),
            c.age() != null ? c.age() : base.age(),
            history,
            searches,
            base.impressionCounts());

    for (String v : q.exclude()) {
      ids[n++] = catalog.index(v);
    }
    int playing = -1;
    if (q.playing() != null) {
      playing = catalog.index(q.playing());
      ids[n++] = playing;
    }
    boolean personalized = fetched.profile().isPresent() || bodyHistory;
    ExclusionSet excluded = ExclusionSet.of(ids, n);
    trace.prepared(
        fetched.profile().isPresent(),
        profile.history().size(),
        profile.searchTokens().size(),
        excluded.size());
    if (fetched.failed()) {
      trace.because("feature store failed; served as an unknown user");
    }
    return new Request(
        model,
        q,
        requestId,
        profile,
        excluded,
        playing,
        personalized,
        fetched.failed(),
        now,
        trace);
  }

  /** Runs on an inference worker thread. */
  private Recommendation compute(Request r, long start, long featuresDone, long deadline)
      throws InterruptedException {
    ServingModel model = r.model();
    long began = System.nanoTime();
    Timer t = new Timer(start, featuresDone, began);
    int count = r.query().count();
    Trace trace = r.trace();
    if (began > deadline) {
      trace.because("deadline passed before inference started");
      return answer(r, fallback(r, count), true, t);
    }
    PredictorPool.Predictors p =
        model.predictors().borrow(Math.max(0, deadline - began), TimeUnit.NANOSECONDS);
    if (p == null) {
      trace.because("deadline passed waiting for a predictor");
      return answer(r, fallback(r, count), true, t);
    }
    try {
      boolean related = r.playing() >= 0;
      float[] item = null;
      float[] u;
      if (related) {
        // Watch-next: the query follows the playing video (WatchNext); no profile = item-to-item.
        item =
            WatchNext.itemVector(
                watchNext.item(),
                p.retriever(),
                r.query().playing(),
                r.playing(),
                model.bundle().videoVectors(),
                model.bundle().dims(),
                r.nowTs());
        float[] user = r.personalized() ? p.retriever().userVector(r.profile(), r.nowTs()) : null;
        u = WatchNext.blend(user, item, watchNext.alpha());
      } else {
        u = p.retriever().userVector(r.profile(), r.nowTs());
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
        return answer(r, unranked, true, t);
      }
      ScoredVideos ranked =
          related
              ? WatchNext.order(
                  p.ranker(),
                  r.profile(),
                  candidates,
                  item,
                  model.bundle().videoVectors(),
                  model.bundle().videoBias(),
                  r.nowTs(),
                  r.excluded(),
                  count,
                  model.popular(),
                  watchNext.similarity())
              : CandidateRanker.rank(
                  p.ranker(),
                  r.profile(),
                  candidates,
                  r.nowTs(),
                  r.excluded(),
                  count,
                  model.popular());
      t.rankDone = System.nanoTime();
      trace.ranked();
      return answer(r, ranked, r.storeFailed(), t);
    } catch (RuntimeException e) {
      trace.modelFailed();
      LOG.error(
          "[{}] inference failed for user {}, serving popular videos",
          r.requestId(),
          r.profile().userId(),
          e);
      return answer(r, fallback(r, count), true, t);
    } finally {
      model.predictors().release(p);
    }
  }

  private static ScoredVideos fallback(Request r, int count) {
    return TopN.select(new int[0], new float[0], 0, r.excluded(), count, r.model().popular());
  }

  private static Recommendation answer(Request r, ScoredVideos videos, boolean degraded, Timer t) {
    ServingModel model = r.model();
    VideoCatalog catalog = model.bundle().catalog();
    List<Recommendation.Item> items = new ArrayList<>(videos.size());
    for (int i = 0; i < videos.size(); i++) {
      items.add(new Recommendation.Item(catalog.id(videos.ids()[i]), videos.scores()[i]));
    }
    r.trace().describe(videos, r.profile(), r.nowTs(), model.bundle().encoder());
    return new Recommendation(
        r.query().userId(), items, model.version(), degraded, r.personalized(), t.finish());
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
