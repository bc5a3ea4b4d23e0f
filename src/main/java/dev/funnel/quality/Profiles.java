package dev.funnel.quality;

import dev.funnel.data.Dataset;
import dev.funnel.data.User;
import dev.funnel.features.UserProfile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the {@link UserProfile} the feature store would hold for a user just before a time, from a
 * dataset's event columns: the last watches (at most {@code historyLength}), the last 10 search
 * tokens and impression counts of the most recently shown videos. Only events strictly before the
 * time are used, so a profile at the request time never sees a held-out watch.
 */
final class Profiles {
  private final Dataset data;
  private final int[][] watches;
  private final int[][] searches;
  private final int[][] impressions;

  Profiles(Dataset data) {
    this.data = data;
    int users = data.users().size();
    watches = group(data.watches().user(), users);
    searches = group(data.searches().user(), users);
    impressions = group(data.impressions().user(), users);
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
    User user = data.users().get(u);
    Dataset.Watches w = data.watches();
    int end = 0;
    while (end < watches[u].length && w.ts()[watches[u][end]] < ts) {
      end++;
    }
    int limit = Math.min(historyLength, UserProfile.MAX_HISTORY);
    List<UserProfile.Watched> history = new ArrayList<>();
    for (int k = Math.max(0, end - limit); k < end; k++) {
      int i = watches[u][k];
      history.add(new UserProfile.Watched(data.videos().get(w.video()[i]).id(), w.ts()[i]));
    }
    Dataset.Searches s = data.searches();
    List<String> tokens = new ArrayList<>();
    for (int i : searches[u]) {
      if (s.ts()[i] >= ts) {
        break;
      }
      tokens.addAll(Arrays.asList(s.tokens()[i]));
    }
    tokens =
        tokens.subList(Math.max(0, tokens.size() - UserProfile.MAX_SEARCH_TOKENS), tokens.size());
    Dataset.Impressions im = data.impressions();
    LinkedHashMap<Integer, Integer> shown = new LinkedHashMap<>();
    for (int i : impressions[u]) {
      if (im.ts()[i] >= ts) {
        break;
      }
      Integer c = shown.remove(im.video()[i]);
      shown.put(im.video()[i], c == null ? 1 : c + 1);
    }
    Map<String, Integer> counts = new LinkedHashMap<>();
    int skip = Math.max(0, shown.size() - UserProfile.MAX_IMPRESSIONS);
    for (Map.Entry<Integer, Integer> e : shown.entrySet()) {
      if (skip-- > 0) {
        continue;
      }
      counts.put(data.videos().get(e.getKey()).id(), e.getValue());
    }
    return new UserProfile(
        user.id(),
        user.geo(),
        user.language(),
        user.gender(),
        user.age(),
        history,
        new ArrayList<>(tokens),
        counts);
  }
}
