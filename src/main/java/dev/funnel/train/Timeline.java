package dev.funnel.train;

import dev.funnel.data.Dataset;
import dev.funnel.data.ProfileSnapshots;
import dev.funnel.features.UserProfile;
import dev.funnel.models.SortedArrays;
import dev.funnel.models.Vocabulary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Each user's events, grouped per user and time-ordered, so that the features of "this user just
 * before time t" are a binary search away. The trainer and the evaluator build every example from
 * it, which is what keeps labels from leaking into inputs: a profile at t only ever sees events
 * strictly before t.
 */
final class Timeline {
  private final Dataset data;
  private ProfileSnapshots snapshots;

  /** Per user: dense video ids and times of watches, oldest first. */
  final int[][] watchVideo;

  final long[][] watchTs;
  final float[][] watchSeconds;

  /** Per user: search times, and the end (exclusive) of each search's tokens in searchTokens. */
  final long[][] searchTs;

  final int[][] searchTokenEnd;
  final String[][] searchTokens;

  /** Per user: positions of their impressions in the dataset's impression columns. */
  final int[][] impressions;

  Timeline(Dataset data) {
    this.data = data;
    int users = data.users().size();
    Dataset.Watches w = data.watches();
    int[] wc = count(w.user(), users);
    watchVideo = new int[users][];
    watchTs = new long[users][];
    watchSeconds = new float[users][];
    for (int u = 0; u < users; u++) {
      watchVideo[u] = new int[wc[u]];
      watchTs[u] = new long[wc[u]];
      watchSeconds[u] = new float[wc[u]];
    }
    int[] fill = new int[users];
    for (int i = 0; i < w.size(); i++) {
      int u = w.user()[i];
      int k = fill[u]++;
      watchVideo[u][k] = w.video()[i];
      watchTs[u][k] = w.ts()[i];
      watchSeconds[u][k] = w.watchSeconds()[i];
    }

    Dataset.Searches s = data.searches();
    int[] sc = count(s.user(), users);
    searchTs = new long[users][];
    searchTokenEnd = new int[users][];
    List<List<String>> tokens = new ArrayList<>(users);
    for (int u = 0; u < users; u++) {
      searchTs[u] = new long[sc[u]];
      searchTokenEnd[u] = new int[sc[u]];
      tokens.add(new ArrayList<>());
    }
    Arrays.fill(fill, 0);
    for (int i = 0; i < s.size(); i++) {
      int u = s.user()[i];
      int k = fill[u]++;
      searchTs[u][k] = s.ts()[i];
      tokens.get(u).addAll(Arrays.asList(s.tokens()[i]));
      searchTokenEnd[u][k] = tokens.get(u).size();
    }
    searchTokens = new String[users][];
    for (int u = 0; u < users; u++) {
      searchTokens[u] = tokens.get(u).toArray(new String[0]);
    }

    Dataset.Impressions im = data.impressions();
    int[] ic = count(im.user(), users);
    impressions = new int[users][];
    for (int u = 0; u < users; u++) {
      impressions[u] = new int[ic[u]];
    }
    Arrays.fill(fill, 0);
    for (int i = 0; i < im.size(); i++) {
      int u = im.user()[i];
      impressions[u][fill[u]++] = i;
    }
  }

  private static int[] count(int[] users, int n) {
    int[] c = new int[n];
    for (int u : users) {
      c[u]++;
    }
    return c;
  }

  Dataset data() {
    return data;
  }

  int users() {
    return watchVideo.length;
  }

  /** Number of u's watches strictly before ts (the end of the history visible at ts). */
  int watchesBefore(int u, long ts) {
    return SortedArrays.firstAtOrAfter(watchTs[u], ts);
  }

  /** End (exclusive) of u's search tokens from searches strictly before ts. */
  int tokensBefore(int u, long ts) {
    int k = SortedArrays.firstAtOrAfter(searchTs[u], ts);
    return k == 0 ? 0 : searchTokenEnd[u][k - 1];
  }

  /** u's search tokens as vocabulary rows (0 for tokens outside the vocabulary). */
  int[] tokenRows(int u, Vocabulary vocabulary) {
    String[] t = searchTokens[u];
    int[] rows = new int[t.length];
    for (int i = 0; i < t.length; i++) {
      rows[i] = vocabulary.row(t[i]);
    }
    return rows;
  }

  /**
   * The profile the online store would hold for u just before ts ({@link ProfileSnapshots}: the
   * loader's and the event path's rule).
   */
  UserProfile profileAt(int u, long ts) {
    if (snapshots == null) {
      snapshots = new ProfileSnapshots(data); // built on first use: only evaluation needs it
    }
    return snapshots.at(u, ts);
  }
}
