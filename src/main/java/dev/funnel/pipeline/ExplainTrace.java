package dev.funnel.pipeline;

import dev.funnel.metrics.StageTimings;
import dev.funnel.models.FeatureEncoder;
import dev.funnel.models.Quantiles;
import dev.funnel.models.VideoCatalog;
import dev.funnel.ranking.ScoredVideos;
import dev.funnel.retrieval.Candidates;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link Trace} of a request that asked for an explanation. Written by the event loop (before
 * scheduling) and then by one inference worker; read after the request's future completes, which
 * orders those writes before the read.
 */
final class ExplainTrace implements Trace {
  private boolean profileFound;
  private int history;
  private int searchTokens;
  private int excluded;
  private int indexed;
  private boolean towerRan;
  private Candidates candidates;
  private boolean ranked;
  private String path = "popular";
  private String order = "popular";
  private String reason;
  private List<Explanation.Item> items = List.of();
  private int itemsOmitted;

  @Override
  public void prepared(ResolvedRequest request) {
    this.profileFound = request.profileFound();
    this.history = request.user().historySize();
    this.searchTokens = request.user().tokenCount();
    this.excluded = request.excluded().size();
  }

  @Override
  public void because(String why) {
    reason = reason == null ? why : reason + "; " + why;
  }

  @Override
  public void retrieved(int indexed, Candidates candidates) {
    this.towerRan = true;
    this.indexed = indexed;
    this.candidates = candidates;
    this.path = "unranked";
    this.order = "retrieval";
  }

  @Override
  public void ranked(String order) {
    this.ranked = true;
    this.path = "ranked";
    this.order = order;
  }

  @Override
  public void modelFailed() {
    // The answer is popular videos: none of it comes from retrieval or the ranker.
    this.path = "popular";
    this.order = "popular";
    this.candidates = null;
    this.ranked = false;
    because("model call failed");
  }

  /**
   * Describes the returned videos: retrieval rank and score, ranker score and features. Runs on the
   * inference worker (it scans the history per item), at most {@link Explanation#MAX_ITEMS} times.
   */
  @Override
  public void describe(ScoredVideos videos, ResolvedRequest request, FeatureEncoder encoder) {
    VideoCatalog catalog = encoder.catalog();
    Quantiles quantiles = encoder.quantiles();
    Map<Integer, Integer> position = new HashMap<>();
    if (candidates != null) {
      for (int i = candidates.size() - 1; i >= 0; i--) {
        position.put(candidates.ids()[i], i);
      }
    }
    int n = Math.min(videos.size(), Explanation.MAX_ITEMS);
    List<Explanation.Item> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int v = videos.ids()[i];
      float score = videos.scores()[i];
      Integer at = position.get(v);
      float retrievalScore = at == null ? Float.NaN : candidates.scores()[at];
      float[] raw = null;
      float[] cdf = null;
      if (at != null) {
        raw = encoder.rankerRawFeatures(request.user(), v, retrievalScore, request.nowTs());
        if (quantiles != null) {
          cdf = new float[raw.length];
          for (int f = 0; f < raw.length; f++) {
            cdf[f] = quantiles.cdf(f, raw[f]);
          }
        }
      }
      out.add(
          new Explanation.Item(
              catalog.id(v),
              catalog.title(v),
              catalog.topic(v),
              catalog.language(v),
              score,
              at == null ? 0 : at + 1,
              retrievalScore,
              ranked && at != null ? score : Float.NaN,
              raw,
              cdf));
    }
    items = out;
    itemsOmitted = videos.size() - n;
  }

  Explanation finish(StageTimings t, int returned) {
    int k = candidates == null ? 0 : candidates.size();
    List<Explanation.Stage> stages =
        List.of(
            new Explanation.Stage("features", t.featuresMs(), -1, -1, true),
            new Explanation.Stage("queue", t.queueMs(), -1, -1, true),
            new Explanation.Stage("tower", t.towerMs(), -1, -1, towerRan),
            new Explanation.Stage("index", t.indexMs(), indexed, k, candidates != null),
            new Explanation.Stage("rank", t.rankMs(), k, returned, ranked));
    return new Explanation(
        path,
        order,
        reason,
        profileFound,
        history,
        searchTokens,
        excluded,
        stages,
        t.totalMs(),
        items,
        itemsOmitted,
        FeatureEncoder.RANKER_RAW_NAMES);
  }
}
