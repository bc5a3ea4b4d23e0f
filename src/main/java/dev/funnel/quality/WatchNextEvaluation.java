package dev.funnel.quality;

import dev.funnel.config.ConfigKey;
import dev.funnel.data.Dataset;
import dev.funnel.features.UserProfile;
import dev.funnel.models.ModelBundle;
import dev.funnel.models.ResolvedUser;
import dev.funnel.models.serving.PredictorPool;
import dev.funnel.pipeline.WatchNext;
import dev.funnel.ranking.CandidateRanker;
import dev.funnel.ranking.ExclusionSet;
import dev.funnel.ranking.ScoredVideos;
import dev.funnel.ranking.TopicCap;
import dev.funnel.retrieval.CandidateRetriever;
import dev.funnel.retrieval.Candidates;
import dev.funnel.retrieval.VectorIndex;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Replays watch-next on a dataset with a trained model, through the serving stages ({@link
 * WatchNext} and the same predictors the server uses, exact index). A user's watch at time t is the
 * playing video p; the user's next watch is the target. For each such pair:
 *
 * <ul>
 *   <li><b>related</b>: the watch-next route for the user (profile before t, p appended);
 *   <li><b>home</b>: the home feed for the same profile without p (p excluded: it is playing), with
 *       the topic cap of {@link Options#maxPerTopic};
 *   <li><b>item-to-item</b>: the route without a user (p's neighbourhood, as an anonymous call);
 *   <li><b>append</b>: the previous route (p appended to the history, home-feed funnel);
 *   <li>raw neighbours of p by each item vector (tower, softmax row), to choose the item vector.
 * </ul>
 *
 * Every method gets the same exclusions: videos the user watched before t, p, and videos not
 * uploaded yet at t. Pairs whose next watch is p or was watched before are skipped (no method may
 * return it). Overlap is |related ∩ home| out of the list length, measured both for the real p and
 * for a "probe" p of a topic the user has not watched (the check: a known user playing
 * something else). Test pairs start at or after the model's cutoff; validation pairs end before it
 * (each user's last pre-cutoff pair), so choices never see the test.
 */
public final class WatchNextEvaluation {
  /** Candidates K per request, as served. */
  static final int CANDIDATES = 300;

  static final int HISTORY = UserProfile.MAX_HISTORY;

  /**
   * @param users at most this many users (one pair each), chosen at random with {@code seed}
   * @param count list length N (HitRate@N)
   * @param seed sampling seed
   * @param maxPerTopic the home feed's topic cap ({@link TopicCap}), as {@code
   *     serving.max-per-topic}
   */
  public record Options(int users, int count, long seed, int maxPerTopic) {
    /** With the served default cap. */
    public Options(int users, int count, long seed) {
      this(users, count, seed, servedMaxPerTopic());
    }

    public static Options defaults() {
      return new Options(1000, 20, 1L);
    }
  }

  /** The default of {@code serving.max-per-topic}. */
  public static int servedMaxPerTopic() {
    return Integer.parseInt(ConfigKey.SERVING_MAX_PER_TOPIC.defaultValue());
  }

  /** Which pairs: after the cutoff (test) or the last pair before it (validation). */
  public enum Side {
    TEST,
    VALIDATION
  }

  private final Dataset data;
  private final ModelBundle bundle;
  private final Profiles profiles;
  private final long cutoff;
  private final Options options;
  private final int[] toBundle;
  private final PredictorPool pool;
  private final CandidateRetriever retriever;
  private final dev.funnel.ranking.Ranker ranker;

  public WatchNextEvaluation(Dataset data, ModelBundle bundle, long cutoff, Options options) {
    this.data = data;
    this.bundle = bundle;
    this.profiles = new Profiles(data);
    this.cutoff = cutoff;
    this.options = options;
    toBundle = new int[data.videos().size()];
    for (int v = 0; v < toBundle.length; v++) {
      toBundle[v] = bundle.catalog().index(data.videos().get(v).id());
    }
    pool = PredictorPool.create(bundle, VectorIndex.exact(bundle), 1, CANDIDATES);
    PredictorPool.Predictors p;
    try {
      p = pool.borrow(1, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    retriever = p.retriever();
    ranker = p.ranker();
  }

  /** The model's train/test cutoff from model.json ({@code split.cutoff_ts}). */
  public static long cutoffOf(ModelBundle bundle) {
    JsonObject split = bundle.manifest().getJsonObject("split");
    if (split == null || split.getLong("cutoff_ts") == null) {
      throw new IllegalArgumentException(
          bundle.directory() + ": model.json has no split.cutoff_ts");
    }
    return split.getLong("cutoff_ts");
  }

  /** One replayed request: the user, the playing and next videos (dataset ids), the time. */
  record Pair(int user, int playing, int next, long ts) {}

  /** The prepared state of one pair, shared by every method and parameter setting. */
  private record Prepared(
      Pair pair,
      UserProfile profile,
      UserProfile withPlaying,
      ExclusionSet excluded,
      int playing,
      int next,
      int[] home,
      int probe,
      ExclusionSet probeExcluded) {}

  /** The pairs of one side, at most one per user, for at most {@code options.users} users. */
  List<Pair> pairs(Side side) {
    SplittableRandom rnd = new SplittableRandom(options.seed());
    Dataset.Watches w = data.watches();
    List<Integer> users = new ArrayList<>();
    for (int u = 0; u < data.users().size(); u++) {
      users.add(u);
    }
    for (int i = users.size() - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      users.set(i, users.set(j, users.get(i)));
    }
    List<Pair> out = new ArrayList<>();
    for (int u : users) {
      if (out.size() >= options.users()) {
        break;
      }
      int[] mine = profiles.watchesOf(u);
      List<Integer> eligible = new ArrayList<>();
      for (int k = 0; k + 1 < mine.length; k++) {
        long ts = w.ts()[mine[k]];
        long nextTs = w.ts()[mine[k + 1]];
        if (side == Side.TEST ? ts >= cutoff : nextTs < cutoff) {
          eligible.add(k);
        }
      }
      if (eligible.isEmpty()) {
        continue;
      }
      int k =
          side == Side.TEST
              ? eligible.get(rnd.nextInt(eligible.size()))
              : eligible.get(eligible.size() - 1);
      out.add(new Pair(u, w.video()[mine[k]], w.video()[mine[k + 1]], w.ts()[mine[k]]));
    }
    return out;
  }

  /**
   * Prepares the pairs (profiles, exclusions, home feeds); pairs no method could hit are left out.
   */
  private List<Prepared> prepare(List<Pair> pairs) {
    Dataset.Watches w = data.watches();
    SplittableRandom rnd = new SplittableRandom(options.seed() + 1);
    int[] popular = bundle.popular();
    List<Prepared> out = new ArrayList<>();
    for (Pair pair : pairs) {
      int playing = toBundle[pair.playing()];
      int next = toBundle[pair.next()];
      if (playing < 0 || next < 0 || pair.playing() == pair.next()) {
        continue;
      }
      List<Integer> ids = new ArrayList<>();
      Set<String> topics = new HashSet<>();
      boolean seen = false;
      for (int i : profiles.watchesOf(pair.user())) {
        if (w.ts()[i] >= pair.ts()) {
          break;
        }
        ids.add(toBundle[w.video()[i]]);
        topics.add(data.videos().get(w.video()[i]).topic());
        seen |= w.video()[i] == pair.next();
      }
      if (seen) {
        continue;
      }
      for (int v = 0; v < toBundle.length; v++) {
        if (data.videos().get(v).uploadTs() > pair.ts()) {
          ids.add(toBundle[v]);
        }
      }
      ExclusionSet watched = set(ids);
      ids.add(playing);
      ExclusionSet excluded = set(ids);
      UserProfile profile = profiles.at(pair.user(), pair.ts(), HISTORY);
      UserProfile withPlaying = append(profile, data.videos().get(pair.playing()).id(), pair.ts());
      int[] home = homeFeed(profile, excluded, pair.ts());
      // The probe: a popular video of a topic the user never watched (and not the playing one).
      topics.add(data.videos().get(pair.playing()).topic());
      int probe = -1;
      int start = popular.length == 0 ? 0 : rnd.nextInt(Math.min(200, popular.length));
      for (int i = 0; i < popular.length && probe < 0; i++) {
        int v = popular[(start + i) % popular.length];
        String topic = topicOf(v);
        if (topic != null && !topics.contains(topic) && !watched.contains(v)) {
          probe = v;
        }
      }
      ExclusionSet probeExcluded = null;
      if (probe >= 0) {
        ids.set(ids.size() - 1, probe);
        probeExcluded = set(ids);
      }
      out.add(
          new Prepared(
              pair, profile, withPlaying, excluded, playing, next, home, probe, probeExcluded));
    }
    return out;
  }

  private String topicOf(int bundleId) {
    int v = data.videoIndex(bundle.catalog().id(bundleId));
    return v < 0 ? null : data.videos().get(v).topic();
  }

  /** The home feed as served: the ranker's order, then the topic cap. */
  private int[] homeFeed(UserProfile profile, ExclusionSet excluded, long ts) {
    return TopicCap.select(
            rankedHome(
                profile,
                excluded,
                ts,
                TopicCap.pool(options.count(), CANDIDATES, options.maxPerTopic())),
            options.count(),
            bundle.catalog()::topicId,
            options.maxPerTopic())
        .ids();
  }

  /** The ranker's best {@code n} of the home feed's candidates, before the topic cap. */
  private ScoredVideos rankedHome(UserProfile profile, ExclusionSet excluded, long ts, int n) {
    ResolvedUser user = bundle.encoder().resolve(profile);
    float[] u = retriever.userVector(user, ts);
    Candidates c = retriever.search(u, CANDIDATES, excluded);
    return CandidateRanker.rank(
        ranker, user, c, ts, excluded, n, new int[0], bundle.servingOrder());
  }

  /**
   * Home-feed variety against accuracy: for each cap, the next-watch HitRate@N and the distinct
   * topics per list of the home feed (the ranker's order over the K candidates, then {@link
   * TopicCap}), with 95% normal intervals over pairs; the HitRate difference to no cap is paired
   * (the same pairs). One ranking per pair serves every cap.
   *
   * @return {"pairs", "rows": [{"max_per_topic", "hit", "hit_95", "hit_minus_uncapped_95",
   *     "topics_per_list", "topics_95"}]}
   */
  public JsonObject variety(Side side, int[] caps) {
    List<Pair> pairs = pairs(side);
    int m = caps.length;
    int[] hits = new int[m];
    int[] capOnly = new int[m]; // pairs only the capped list hits
    int[] uncappedOnly = new int[m];
    double[] topics = new double[m];
    double[] topicsSq = new double[m];
    int n = 0;
    for (Prepared p : prepare(pairs)) {
      ScoredVideos ranked = rankedHome(p.profile(), p.excluded(), p.pair().ts(), CANDIDATES);
      boolean uncapped =
          contains(
              TopicCap.select(ranked, options.count(), bundle.catalog()::topicId, TopicCap.OFF)
                  .ids(),
              p.next());
      for (int g = 0; g < m; g++) {
        int[] list =
            TopicCap.select(ranked, options.count(), bundle.catalog()::topicId, caps[g]).ids();
        boolean hit = contains(list, p.next());
        hits[g] += hit ? 1 : 0;
        capOnly[g] += hit && !uncapped ? 1 : 0;
        uncappedOnly[g] += uncapped && !hit ? 1 : 0;
        int t = topics(list);
        topics[g] += t;
        topicsSq[g] += (double) t * t;
      }
      n++;
    }
    int size = Math.max(1, n);
    JsonArray rows = new JsonArray();
    for (int g = 0; g < m; g++) {
      double hit = (double) hits[g] / size;
      double hitSe = Math.sqrt(hit * (1 - hit) / size);
      double mean = topics[g] / size;
      double sd = Math.sqrt(Math.max(0, topicsSq[g] / size - mean * mean));
      double topicsSe = sd / Math.sqrt(size);
      rows.add(
          new JsonObject()
              .put("max_per_topic", caps[g])
              .put("hit", round(hit))
              .put(
                  "hit_95",
                  new JsonArray().add(round(hit - 1.96 * hitSe)).add(round(hit + 1.96 * hitSe)))
              .put("hit_minus_uncapped_95", pairedInterval(capOnly[g], uncappedOnly[g], size))
              .put("topics_per_list", round(mean))
              .put(
                  "topics_95",
                  new JsonArray()
                      .add(round(mean - 1.96 * topicsSe))
                      .add(round(mean + 1.96 * topicsSe))));
    }
    return new JsonObject().put("pairs", n).put("count", options.count()).put("rows", rows);
  }

  /**
   * The largest cap (the least accuracy lost) whose lists hold at least {@code minTopics} distinct
   * topics on average; the smallest cap tried when none does; {@link TopicCap#OFF} when no cap was
   * tried.
   */
  public static int capForTopics(JsonObject grid, double minTopics) {
    int best = TopicCap.OFF;
    int smallest = TopicCap.OFF;
    for (Object o : grid.getJsonArray("rows")) {
      JsonObject r = (JsonObject) o;
      int cap = r.getInteger("max_per_topic");
      if (cap <= TopicCap.OFF) {
        continue;
      }
      smallest = smallest == TopicCap.OFF ? cap : Math.min(smallest, cap);
      if (r.getDouble("topics_per_list") >= minTopics && cap > best) {
        best = cap;
      }
    }
    return best == TopicCap.OFF ? smallest : best;
  }

  /**
   * The cap a validation grid chooses: the smallest one (most variety) whose HitRate is at least
   * {@code 1 - maxLoss} times the uncapped one; {@link TopicCap#OFF} when none is.
   */
  public static int chooseCap(JsonObject grid, double maxLoss) {
    double uncapped = -1;
    for (Object o : grid.getJsonArray("rows")) {
      JsonObject r = (JsonObject) o;
      if (r.getInteger("max_per_topic") <= TopicCap.OFF) {
        uncapped = r.getDouble("hit");
      }
    }
    if (uncapped < 0) {
      throw new IllegalArgumentException("the grid needs the uncapped row (max_per_topic 0)");
    }
    int best = TopicCap.OFF;
    for (Object o : grid.getJsonArray("rows")) {
      JsonObject r = (JsonObject) o;
      int cap = r.getInteger("max_per_topic");
      if (cap > TopicCap.OFF
          && r.getDouble("hit") >= (1 - maxLoss) * uncapped
          && (best == TopicCap.OFF || cap < best)) {
        best = cap;
      }
    }
    return best;
  }

  /** The watch-next route, as RecommendPipeline runs it; {@code profile} null = anonymous. */
  private int[] related(
      UserProfile profile,
      String playingId,
      int playing,
      ExclusionSet excluded,
      long ts,
      WatchNext.Params params,
      float[] item) {
    float[] user =
        profile == null ? null : retriever.userVector(bundle.encoder().resolve(profile), ts);
    float[] q = WatchNext.blend(user, item, params.alpha());
    Candidates c =
        WatchNext.candidates(retriever, item, q, CANDIDATES, params.neighbours(), excluded);
    UserProfile ranked =
        profile != null ? profile : append(UserProfile.anonymous(""), playingId, ts);
    ScoredVideos out =
        WatchNext.order(
            ranker,
            bundle.encoder().resolve(ranked),
            c,
            item,
            bundle.videoVectors(),
            bundle.videoBias(),
            ts,
            excluded,
            options.count(),
            new int[0],
            params.similarity());
    return out.ids();
  }

  private float[] item(WatchNext.ItemVector kind, String id, int dense, long ts) {
    return WatchNext.itemVector(
        kind, retriever, bundle.encoder(), dense, bundle.videoVectors(), bundle.dims(), ts);
  }

  /**
   * Runs every method on one side's pairs with the given watch-next settings.
   *
   * @return {"pairs", "related", "home", "item_to_item", "append", "neighbours_tower",
   *     "neighbours_softmax_row"} HitRates@N, overlaps and home-feed topics per list
   */
  public JsonObject evaluate(Side side, WatchNext.Params params) {
    return evaluate(prepare(pairs(side)), List.of(params), true).getJsonObject(0);
  }

  /**
   * Validation grid: each setting's related HitRate and probe overlap on validation pairs, and the
   * chosen one (best HitRate among those with probe overlap ≤ {@code maxOverlap}; else the lowest
   * overlap).
   */
  public JsonObject choose(List<WatchNext.Params> grid, double maxOverlap) {
    List<Prepared> prepared = prepare(pairs(Side.VALIDATION));
    JsonArray rows = evaluate(prepared, grid, false);
    int best = -1;
    for (int i = 0; i < rows.size(); i++) {
      JsonObject r = rows.getJsonObject(i);
      if (best < 0) {
        best = i;
        continue;
      }
      JsonObject b = rows.getJsonObject(best);
      boolean ok = r.getDouble("overlap_probe") <= maxOverlap;
      boolean bOk = b.getDouble("overlap_probe") <= maxOverlap;
      if (ok && !bOk
          || ok == bOk
              && (ok
                  ? r.getDouble("hit_related") > b.getDouble("hit_related")
                  : r.getDouble("overlap_probe") < b.getDouble("overlap_probe"))) {
        best = i;
      }
    }
    return new JsonObject()
        .put("pairs", prepared.size())
        .put("grid", rows)
        .put("chosen", rows.getJsonObject(best).getJsonObject("params"));
  }

  private JsonArray evaluate(List<Prepared> prepared, List<WatchNext.Params> grid, boolean all) {
    int m = grid.size();
    double[] hitRelated = new double[m];
    double[] overlap = new double[m];
    double[] overlapProbe = new double[m];
    int[] relatedOnly = new int[m]; // pairs the related list hits and the home feed misses
    int[] homeOnly = new int[m];
    int probes = 0;
    double hitHome = 0;
    double hitItem = 0;
    double hitAppend = 0;
    double hitTower = 0;
    double hitRow = 0;
    double overlapItem = 0;
    double overlapAppend = 0;
    double topics = 0;
    for (Prepared p : prepared) {
      long ts = p.pair().ts();
      String playingId = bundle.catalog().id(p.playing());
      float[] tower = item(WatchNext.ItemVector.TOWER, playingId, p.playing(), ts);
      float[] row = item(WatchNext.ItemVector.SOFTMAX_ROW, playingId, p.playing(), ts);
      String probeId = p.probe() < 0 ? null : bundle.catalog().id(p.probe());
      UserProfile probeProfile = probeId == null ? null : append(p.profile(), probeId, ts);
      if (probeId != null) {
        probes++;
      }
      for (int g = 0; g < m; g++) {
        WatchNext.Params params = grid.get(g);
        float[] item = params.item() == WatchNext.ItemVector.TOWER ? tower : row;
        int[] rel =
            related(p.withPlaying(), playingId, p.playing(), p.excluded(), ts, params, item);
        boolean hit = contains(rel, p.next());
        boolean homeHit = contains(p.home(), p.next());
        hitRelated[g] += hit ? 1 : 0;
        relatedOnly[g] += hit && !homeHit ? 1 : 0;
        homeOnly[g] += homeHit && !hit ? 1 : 0;
        overlap[g] += shared(rel, p.home());
        if (probeId != null) {
          float[] probeItem = item(params.item(), probeId, p.probe(), ts);
          int[] probeRel =
              related(probeProfile, probeId, p.probe(), p.probeExcluded(), ts, params, probeItem);
          overlapProbe[g] += shared(probeRel, p.home());
        }
      }
      hitHome += contains(p.home(), p.next()) ? 1 : 0;
      topics += topics(p.home());
      if (all) {
        int[] item =
            related(
                null,
                playingId,
                p.playing(),
                p.excluded(),
                ts,
                grid.get(0),
                grid.get(0).item() == WatchNext.ItemVector.TOWER ? tower : row);
        hitItem += contains(item, p.next()) ? 1 : 0;
        overlapItem += shared(item, p.home());
        int[] append = homeFeed(p.withPlaying(), p.excluded(), ts);
        hitAppend += contains(append, p.next()) ? 1 : 0;
        overlapAppend += shared(append, p.home());
        hitTower += contains(neighbours(tower, p.excluded()), p.next()) ? 1 : 0;
        hitRow += contains(neighbours(row, p.excluded()), p.next()) ? 1 : 0;
      }
    }
    int n = Math.max(1, prepared.size());
    JsonArray rows = new JsonArray();
    for (int g = 0; g < m; g++) {
      WatchNext.Params params = grid.get(g);
      JsonObject r =
          new JsonObject()
              .put(
                  "params",
                  new JsonObject()
                      .put("alpha", params.alpha())
                      .put("neighbours", params.neighbours())
                      .put("similarity", params.similarity())
                      .put("item", params.item().name()))
              .put("pairs", prepared.size())
              .put("hit_related", round(hitRelated[g] / n))
              .put("hit_home", round(hitHome / n))
              .put("hit_related_minus_home_95", pairedInterval(relatedOnly[g], homeOnly[g], n))
              .put("overlap", round(overlap[g] / n))
              .put("overlap_probe", round(overlapProbe[g] / Math.max(1, probes)))
              .put("probes", probes)
              .put("home_topics_per_list", round(topics / n));
      if (all) {
        r.put("hit_item_to_item", round(hitItem / n))
            .put("overlap_item_to_item", round(overlapItem / n))
            .put("hit_append", round(hitAppend / n))
            .put("overlap_append", round(overlapAppend / n))
            .put("hit_neighbours_tower", round(hitTower / n))
            .put("hit_neighbours_softmax_row", round(hitRow / n));
      }
      rows.add(r);
    }
    return rows;
  }

  /**
   * 95% normal interval of the paired HitRate difference: from the discordant pairs (b: only the
   * first hits, c: only the second), the difference is (b − c)/n with variance (b + c − (b −
   * c)²/n)/n².
   */
  static JsonArray pairedInterval(int b, int c, int n) {
    double diff = (double) (b - c) / n;
    double se = Math.sqrt(Math.max(0, b + c - (double) (b - c) * (b - c) / n)) / n;
    return new JsonArray().add(round(diff - 1.96 * se)).add(round(diff + 1.96 * se));
  }

  private int[] neighbours(float[] item, ExclusionSet excluded) {
    Candidates c = retriever.search(item, options.count(), excluded);
    return Arrays.copyOf(c.ids(), c.size());
  }

  private int topics(int[] list) {
    Set<String> t = new HashSet<>();
    for (int v : list) {
      t.add(topicOf(v));
    }
    return t.size();
  }

  private static int shared(int[] a, int[] b) {
    int n = 0;
    for (int x : a) {
      n += contains(b, x) ? 1 : 0;
    }
    return n;
  }

  private static boolean contains(int[] list, int v) {
    for (int x : list) {
      if (x == v) {
        return true;
      }
    }
    return false;
  }

  private static ExclusionSet set(List<Integer> ids) {
    int[] a = new int[ids.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = ids.get(i);
    }
    return ExclusionSet.of(a, a.length);
  }

  private static UserProfile append(UserProfile p, String video, long ts) {
    List<UserProfile.Watched> h = new ArrayList<>(p.history());
    h.add(new UserProfile.Watched(video, ts));
    return new UserProfile(
        p.userId(),
        p.geo(),
        p.language(),
        p.gender(),
        p.age(),
        h,
        p.searchTokens(),
        p.impressionCounts());
  }

  private static double round(double x) {
    return Math.round(x * 10000) / 10000.0;
  }

  /** Closes the predictors. */
  public void close() {
    pool.close();
  }
}
