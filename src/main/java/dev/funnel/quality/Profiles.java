package dev.funnel.quality;

import dev.funnel.data.Dataset;
import dev.funnel.data.ProfileSnapshots;
import dev.funnel.features.UserProfile;
import java.util.Arrays;
import java.util.List;

/**
 * The {@link UserProfile} the feature store would hold for a user just before a time ({@link
 * ProfileSnapshots}, the loader's and the event path's rule), with the history cut to the
 * ablation's {@code historyLength}. Only events strictly before the time are used, so a profile at
 * the request time never sees a held-out watch.
 */
final class Profiles {
  private final Dataset data;
  private final ProfileSnapshots snapshots;
  private final int[][] watches;
  private final int[][] impressions;

  Profiles(Dataset data) {
    this.data = data;
    this.snapshots = new ProfileSnapshots(data);
    watches = group(data.watches().user(), data.users().size());
    impressions = group(data.impressions().user(), data.users().size());
  }

  private static int[][] group(int[] userColumn, int users) {
    int[] count = new int[users];
    for (int u : userColumn) {
      count[u]++;
    }
    int[][] out = new int[users][];
    for (int u = 0; u < users; u++) {
      out[u] = new int[count[u]];
    }
    Arrays.fill(count, 0);
    for (int i = 0; i < userColumn.length; i++) {
      out[userColumn[i]][count[userColumn[i]]++] = i;
    }
    return out;
  }

  Dataset data() {
    return data;
  }

  /** Positions (in the dataset's watch columns) of u's watches, in file (time) order. */
  int[] watchesOf(int u) {
    return watches[u];
  }

  /** Positions (in the dataset's impression columns) of u's impressions, time-ordered. */
  int[] impressionsOf(int u) {
    return impressions[u];
  }

  UserProfile at(int u, long ts, int historyLength) {
    UserProfile p = snapshots.at(u, ts);
    List<UserProfile.Watched> history = p.history();
    if (history.size() <= historyLength) {
      return p;
    }
    return new UserProfile(
        p.userId(),
        p.geo(),
        p.language(),
        p.gender(),
        p.age(),
        history.subList(history.size() - historyLength, history.size()),
        p.searchTokens(),
        p.impressionCounts());
  }
}
