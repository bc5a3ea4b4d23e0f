package dev.funnel.quality;

import dev.funnel.data.Dataset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The time-respecting evaluation protocol of the quality report: for every user with enough
 * watches, their last {@code holdout} watches by timestamp are held out, and the training side
 * keeps only that user's events strictly before the first held-out one (watches, searches and
 * impressions alike; events that share the held-out timestamp are dropped too, so nothing at or
 * after the moment of the request trains). Users with too few watches train whole and are not
 * evaluated.
 *
 * <p>What it does not prevent, like every leave-last-out protocol: another user's events after this
 * user's request time are in training. A global time split (what {@code ./funnel train} and {@code
 * ./funnel evaluate} use) prevents that, at the price of evaluating on fewer users.
 *
 * <p>Held-out targets are the distinct held-out videos the user had not watched in training (a
 * recommender never re-recommends a watched video, so those could not be hit).
 *
 * @param full the whole dataset (for page-level ranker evaluation after the request time)
 * @param train the training side: same catalogue and users, fewer events
 * @param heldOut per user, dense ids of the target videos (empty: user not evaluated)
 * @param requestTs per user, the time of the first held-out watch (the simulated request time)
 */
public record LeaveLastOutSplit(Dataset full, Dataset train, int[][] heldOut, long[] requestTs) {

  /**
   * @param holdout watches held out per user
   * @param minTrain watches a user must keep for training to be evaluated
   */
  public static LeaveLastOutSplit of(Dataset data, int holdout, int minTrain) {
    if (holdout < 1 || minTrain < 1) {
      throw new IllegalArgumentException("holdout and minTrain must be positive");
    }
    int users = data.users().size();
    Dataset.Watches w = data.watches();
    List<List<Integer>> perUser = new ArrayList<>(users);
    for (int u = 0; u < users; u++) {
      perUser.add(new ArrayList<>());
    }
    for (int i = 0; i < w.size(); i++) {
      perUser.get(w.user()[i]).add(i); // watches are time-ordered, so each list is too
    }
    int[][] heldOut = new int[users][];
    long[] requestTs = new long[users];
    for (int u = 0; u < users; u++) {
      List<Integer> mine = perUser.get(u);
      requestTs[u] = Long.MAX_VALUE;
      heldOut[u] = new int[0];
      if (mine.size() < holdout + minTrain) {
        continue;
      }
      long start = w.ts()[mine.get(mine.size() - holdout)];
      Set<Integer> seen = new java.util.HashSet<>();
      int kept = 0;
      for (int i : mine) {
        if (w.ts()[i] < start) {
          seen.add(w.video()[i]);
          kept++;
        }
      }
      if (kept < minTrain) {
        continue; // too many watches share the held-out timestamp
      }
      Set<Integer> targets = new LinkedHashSet<>();
      for (int k = mine.size() - holdout; k < mine.size(); k++) {
        int v = w.video()[mine.get(k)];
        if (!seen.contains(v)) {
          targets.add(v);
        }
      }
      if (targets.isEmpty()) {
        continue;
      }
      requestTs[u] = start;
      heldOut[u] = targets.stream().mapToInt(Integer::intValue).toArray();
    }
    Dataset train =
        data.withEvents(
            filterWatches(w, requestTs),
            filterSearches(data.searches(), requestTs),
            filterImpressions(data.impressions(), requestTs));
    return new LeaveLastOutSplit(data, train, heldOut, requestTs);
  }

  /** Users with held-out targets. */
  public int[] evaluatedUsers() {
    int n = 0;
    for (int[] h : heldOut) {
      n += h.length > 0 ? 1 : 0;
    }
    int[] out = new int[n];
    int k = 0;
    for (int u = 0; u < heldOut.length; u++) {
      if (heldOut[u].length > 0) {
        out[k++] = u;
      }
    }
    return out;
  }

  private static Dataset.Watches filterWatches(Dataset.Watches w, long[] requestTs) {
    boolean[] keep = new boolean[w.size()];
    int n = 0;
    for (int i = 0; i < w.size(); i++) {
      keep[i] = w.ts()[i] < requestTs[w.user()[i]];
      n += keep[i] ? 1 : 0;
    }
    int[] user = new int[n];
    int[] video = new int[n];
    long[] ts = new long[n];
    float[] seconds = new float[n];
    int k = 0;
    for (int i = 0; i < w.size(); i++) {
      if (keep[i]) {
        user[k] = w.user()[i];
        video[k] = w.video()[i];
        ts[k] = w.ts()[i];
        seconds[k++] = w.watchSeconds()[i];
      }
    }
    return new Dataset.Watches(user, video, ts, seconds);
  }

  private static Dataset.Searches filterSearches(Dataset.Searches s, long[] requestTs) {
    List<Integer> kept = new ArrayList<>();
    for (int i = 0; i < s.size(); i++) {
      if (s.ts()[i] < requestTs[s.user()[i]]) {
        kept.add(i);
      }
    }
    int[] user = new int[kept.size()];
    long[] ts = new long[kept.size()];
    String[][] tokens = new String[kept.size()][];
    for (int k = 0; k < kept.size(); k++) {
      int i = kept.get(k);
      user[k] = s.user()[i];
      ts[k] = s.ts()[i];
      tokens[k] = s.tokens()[i];
    }
    return new Dataset.Searches(user, ts, tokens);
  }

  private static Dataset.Impressions filterImpressions(Dataset.Impressions im, long[] requestTs) {
    int n = 0;
    boolean[] keep = new boolean[im.size()];
    for (int i = 0; i < im.size(); i++) {
      keep[i] = im.ts()[i] < requestTs[im.user()[i]];
      n += keep[i] ? 1 : 0;
    }
    int[] user = new int[n];
    int[] video = new int[n];
    long[] ts = new long[n];
    boolean[] clicked = new boolean[n];
    float[] seconds = new float[n];
    int k = 0;
    for (int i = 0; i < im.size(); i++) {
      if (keep[i]) {
        user[k] = im.user()[i];
        video[k] = im.video()[i];
        ts[k] = im.ts()[i];
        clicked[k] = im.clicked()[i];
        seconds[k++] = im.watchSeconds()[i];
      }
    }
    return new Dataset.Impressions(user, video, ts, clicked, seconds);
  }

  /** Dense ids of each user's training watches, oldest first. */
  public int[][] trainItems() {
    Dataset.Watches w = train.watches();
    int users = train.users().size();
    int[] count = new int[users];
    for (int u : w.user()) {
      count[u]++;
    }
    int[][] items = new int[users][];
    for (int u = 0; u < users; u++) {
      items[u] = new int[count[u]];
    }
    Arrays.fill(count, 0);
    for (int i = 0; i < w.size(); i++) {
      int u = w.user()[i];
      items[u][count[u]++] = w.video()[i];
    }
    return items;
  }
}
