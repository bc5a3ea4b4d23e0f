package dev.funnel.train;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.funnel.data.Dataset;
import dev.funnel.features.RecentCounts;
import dev.funnel.features.UserProfile;
import dev.funnel.models.FeatureEncoder;
import dev.funnel.models.ModelBundle;
import dev.funnel.models.RankerInputs;
import dev.funnel.models.UserInputs;
import dev.funnel.models.VideoCatalog;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Replays the order choice's validation requests ({@link OrderChoice}): for users no published or
 * evaluated ranker fitted on, retrieval's top {@value #CANDIDATES} from candidate A and the served
 * ranker's re-ordering of them, and whether the watched video is in the top {@value #AT} of each.
 */
final class OrderReplay {
  static final int AT = 50;
  static final int CANDIDATES = ModelBundle.DEFAULT_RANKER_BATCH;
  static final int MAX_REQUESTS = 3_000;
  static final int MAX_PER_USER = 20;
  private static final int BATCH = 64;

  /**
   * Per validation user: requests, and hits within the top {@value #AT} of each order; {@code
   * seconds} the watch seconds of the requests' videos and {@code retrievalSeconds}, {@code
   * rankerSeconds} those of the hits (null when not measured).
   */
  record Hits(
      int[] requests,
      int[] retrieval,
      int[] ranker,
      double[] seconds,
      double[] retrievalSeconds,
      double[] rankerSeconds) {
    Hits(int[] requests, int[] retrieval, int[] ranker) {
      this(requests, retrieval, ranker, null, null, null);
    }

    int users() {
      return requests.length;
    }
  }

  private OrderReplay() {}

  /**
   * Measures both orders for the {@code heldOut} users' watches in [from, to): candidate A
   * retrieves, the served ranker ({@code ranker}, fitted without those users) re-orders.
   *
   * @return null when no held-out user has an eligible watch there
   */
  static Hits measure(
      NDManager manager,
      EncodedUsers users,
      FeatureEncoder userEncoder,
      CandidateTrainer.Result candidate,
      RankerTrainer.Result ranker,
      int[] heldOut,
      long from,
      long to,
      long seed) {
    Timeline t = users.timeline;
    VideoCatalog catalog = userEncoder.catalog();
    Requests req = requests(t, catalog, heldOut, from, to, seed);
    int n = req.users();
    if (n == 0) {
      return null;
    }
    int total = req.user().length;
    int[] slot = req.slot();
    int[] user = req.user();
    long[] time = req.ts();
    int[] target = req.target();
    int[] requestCount = new int[n];
    for (int q = 0; q < total; q++) {
      requestCount[slot[q]]++;
    }
    int[] retrievalHits = new int[n];
    int[] rankerHits = new int[n];
    double[] seconds = new double[n];
    double[] retrievalSeconds = new double[n];
    double[] rankerSeconds = new double[n];
    FeatureEncoder rankerEncoder =
        new FeatureEncoder(
            userEncoder.vocabularies(),
            catalog,
            ranker.quantiles(),
            userEncoder.exampleAgeScaleSeconds());
    float[] w = candidate.softmax().weight().getArray().toFloatArray();
    float[] b = candidate.softmax().bias().getArray().toFloatArray();
    int dims = w.length / b.length;
    long[] uploads = sortedUploads(catalog);
    ParameterStore ps = new ParameterStore(manager, false);
    UserInputs inputs = new UserInputs(BATCH);
    RankerInputs rows = new RankerInputs(CANDIDATES);
    float[] raw = new float[FeatureEncoder.RANKER_RAW];
    try (ExactTopK scan = new ExactTopK(w, b, dims)) {
      for (int start = 0; start < total; start += BATCH) {
        int count = Math.min(BATCH, total - start);
        int[] k = new int[count];
        for (int r = 0; r < count; r++) {
          int u = user[start + r];
          long ts = time[start + r];
          int historyEnd = t.watchesBefore(u, ts);
          users.encode(userEncoder, u, historyEnd, ts, 0f, inputs, r);
          // Enough to hold the top K after dropping what the user watched and what did not exist.
          long future = uploads.length - upTo(uploads, ts);
          k[r] = (int) Math.min(b.length, (long) CANDIDATES + historyEnd + future);
        }
        float[] vectors;
        try (NDManager step = manager.newSubManager()) {
          vectors =
              candidate
                  .tower()
                  .forward(ps, inputs.toNDList(step, count), false)
                  .singletonOrThrow()
                  .toFloatArray();
        }
        ExactTopK.Result top = scan.top(vectors, count, k);
        for (int r = 0; r < count; r++) {
          int q = start + r;
          int[] hit =
              score(
                  manager,
                  ps,
                  t,
                  users,
                  rankerEncoder,
                  ranker,
                  top.ids()[r],
                  top.scores()[r],
                  user[q],
                  time[q],
                  target[q],
                  rows,
                  raw);
          double watched = req.seconds()[q];
          retrievalHits[slot[q]] += hit[0];
          rankerHits[slot[q]] += hit[1];
          seconds[slot[q]] += watched;
          retrievalSeconds[slot[q]] += hit[0] * watched;
          rankerSeconds[slot[q]] += hit[1] * watched;
        }
      }
    }
    return new Hits(
        requestCount, retrievalHits, rankerHits, seconds, retrievalSeconds, rankerSeconds);
  }

  /**
   * One request: the candidates (retrieval's best {@value #CANDIDATES} that existed and were not
   * watched), and whether the watched video is in the top {@value #AT} of each order.
   *
   * @return {retrieval hit, ranker hit}, each 0 or 1
   */
  private static int[] score(
      NDManager manager,
      ParameterStore ps,
      Timeline t,
      EncodedUsers users,
      FeatureEncoder encoder,
      RankerTrainer.Result ranker,
      int[] ids,
      float[] scores,
      int u,
      long ts,
      int target,
      RankerInputs rows,
      float[] raw) {
    VideoCatalog catalog = encoder.catalog();
    int historyEnd = t.watchesBefore(u, ts);
    Set<Integer> seen = new HashSet<>();
    for (int h = 0; h < historyEnd; h++) {
      seen.add(t.watchVideo[u][h]);
    }
    int[] candidates = new int[CANDIDATES];
    float[] retrieval = new float[CANDIDATES];
    int n = 0;
    int targetAt = -1;
    for (int i = 0; i < ids.length && n < CANDIDATES; i++) {
      int v = ids[i];
      if (catalog.uploadTs(v) <= ts && !seen.contains(v)) {
        targetAt = v == target ? n : targetAt;
        candidates[n] = v;
        retrieval[n++] = scores[i];
      }
    }
    if (targetAt < 0) {
      return new int[] {0, 0}; // not retrieved: neither order can show it
    }
    RecentCounts<Integer> shown = previousImpressions(t, u, ts);
    encoder.encodeRankerUser(rows, 0, t.watchVideo[u], 0, historyEnd, users.language[u]);
    for (int c = 0; c < n; c++) {
      RankerTrainer.rawFeatures(
          t,
          encoder,
          u,
          historyEnd,
          ts,
          candidates[c],
          shown.count(candidates[c]),
          retrieval[c],
          raw);
      encoder.encodeRankerRow(rows, c, candidates[c], raw[0], raw[1], raw[2], raw[3], raw[4]);
    }
    float[] logits;
    try (NDManager step = manager.newSubManager()) {
      logits =
          ranker
              .ranker()
              .forward(ps, rows.toNDList(step, n, 1), false)
              .singletonOrThrow()
              .toFloatArray();
    }
    // Serving's seconds: calibrated, capped at the duration; ties keep the retrieval order.
    float mine = seconds(ranker, catalog, candidates[targetAt], logits[targetAt]);
    int above = 0;
    for (int c = 0; c < n; c++) {
      float other = seconds(ranker, catalog, candidates[c], logits[c]);
      above += other > mine || (other == mine && c < targetAt) ? 1 : 0;
    }
    return new int[] {targetAt < AT ? 1 : 0, above < AT ? 1 : 0};
  }

  private static float seconds(
      RankerTrainer.Result ranker, VideoCatalog catalog, int video, float logit) {
    float s = ranker.calibration().seconds(logit);
    int duration = catalog.durationSeconds(video);
    return duration > 0 ? Math.min(s, duration) : s;
  }

  /** u's impression counts just before ts, with the profile's capped rule (as serving sees). */
  private static RecentCounts<Integer> previousImpressions(Timeline t, int u, long ts) {
    RecentCounts<Integer> shown = new RecentCounts<>(UserProfile.MAX_IMPRESSIONS);
    Dataset.Impressions im = t.data().impressions();
    for (int i : t.impressions[u]) {
      if (im.ts()[i] < ts) {
        shown.show(im.video()[i]);
      }
    }
    return shown;
  }

  /**
   * Validation requests, flattened: request q is user {@code user[q]} at {@code ts[q]}, whose
   * watched video is {@code target[q]}, for {@code seconds[q]}; {@code slot[q]} numbers the users
   * that have requests.
   */
  record Requests(int[] slot, int[] user, long[] ts, int[] target, double[] seconds) {
    int users() {
      return slot.length == 0 ? 0 : slot[slot.length - 1] + 1;
    }
  }

  /**
   * The held-out users' requests in [from, to): with an impression log, each clicked impression at
   * the slate's time (what serving answered; the watch itself comes seconds later, and by then the
   * slate counts as a previous impression); without one, each watch. Only videos the user had not
   * watched before and that existed then; at most {@link #MAX_PER_USER} per user (and about {@link
   * #MAX_REQUESTS} in all), chosen at random.
   */
  static Requests requests(
      Timeline t, VideoCatalog catalog, int[] heldOut, long from, long to, long seed) {
    int perUser = Math.max(1, Math.min(MAX_PER_USER, MAX_REQUESTS / Math.max(1, heldOut.length)));
    int stride = Math.max(1, (heldOut.length + MAX_REQUESTS - 1) / MAX_REQUESTS);
    Dataset.Impressions im = t.data().impressions();
    boolean impressions = im.size() > 0;
    SplittableRandom rnd = new SplittableRandom(seed);
    List<long[]> out = new ArrayList<>(); // {slot, user, ts, target, whole watch seconds}
    int slot = 0;
    for (int k = 0; k < heldOut.length; k += stride) {
      int u = heldOut[k];
      List<long[]> eligible = new ArrayList<>();
      if (impressions) {
        for (int i : t.impressions[u]) {
          long ts = im.ts()[i];
          int v = im.video()[i];
          if (ts >= from && ts < to && im.clicked()[i] && isNew(t, catalog, u, v, ts)) {
            eligible.add(new long[] {ts, v, Math.round(im.watchSeconds()[i])});
          }
        }
      } else {
        // Watches sharing a time see the same history: a video counts once, at its first watch.
        Set<Integer> seen = new HashSet<>();
        for (int h = t.watchesBefore(u, from); h < t.watchesBefore(u, to); h++) {
          long ts = t.watchTs[u][h];
          int v = t.watchVideo[u][h];
          if (seen.add(v) && isNew(t, catalog, u, v, ts)) {
            eligible.add(new long[] {ts, v, Math.round(t.watchSeconds[u][h])});
          }
        }
      }
      if (eligible.isEmpty()) {
        continue;
      }
      for (int i = 0; i < Math.min(perUser, eligible.size()); i++) {
        java.util.Collections.swap(eligible, i, i + rnd.nextInt(eligible.size() - i));
        long[] e = eligible.get(i);
        out.add(new long[] {slot, u, e[0], e[1], e[2]});
      }
      slot++;
    }
    int m = out.size();
    Requests r = new Requests(new int[m], new int[m], new long[m], new int[m], new double[m]);
    for (int q = 0; q < m; q++) {
      long[] e = out.get(q);
      r.slot()[q] = (int) e[0];
      r.user()[q] = (int) e[1];
      r.ts()[q] = e[2];
      r.target()[q] = (int) e[3];
      r.seconds()[q] = e[4];
    }
    return r;
  }

  /** Whether v existed at ts and u had not watched it before ts. */
  private static boolean isNew(Timeline t, VideoCatalog catalog, int u, int v, long ts) {
    if (catalog.uploadTs(v) > ts) {
      return false;
    }
    int end = t.watchesBefore(u, ts);
    for (int h = 0; h < end; h++) {
      if (t.watchVideo[u][h] == v) {
        return false;
      }
    }
    return true;
  }

  private static long[] sortedUploads(VideoCatalog catalog) {
    long[] ts = new long[catalog.size()];
    for (int v = 0; v < ts.length; v++) {
      ts[v] = catalog.uploadTs(v);
    }
    Arrays.sort(ts);
    return ts;
  }

  /** Videos uploaded at or before ts. */
  private static int upTo(long[] sortedUploads, long ts) {
    return ts == Long.MAX_VALUE
        ? sortedUploads.length
        : dev.funnel.models.SortedArrays.firstAtOrAfter(sortedUploads, ts + 1);
  }
}
