package dev.funnel.data;

import dev.funnel.features.UserProfile;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Every user's {@link UserProfile} as of the end of a dataset: the state {@code funnel load} puts
 * in the feature store. Events are grouped by user once (a counting sort of row indices, time order
 * kept), then each profile is built from the tail of its user's rows only, so the cost is linear in
 * the events and one profile is alive at a time in {@link #forEachLatest}.
 */
public final class ProfileSnapshots {
  private ProfileSnapshots() {}

  /** All users' latest profiles, in {@link Dataset#users()} order. */
  public static List<UserProfile> latest(Dataset d) {
    List<UserProfile> out = new ArrayList<>(d.users().size());
    forEachLatest(d, out::add);
    return out;
  }

  /** Streams all users' latest profiles, in {@link Dataset#users()} order. */
  public static void forEachLatest(Dataset d, Consumer<UserProfile> sink) {
    int users = d.users().size();
    Dataset.Watches w = d.watches();
    Dataset.Searches s = d.searches();
    Dataset.Impressions im = d.impressions();
    ByUser watches = new ByUser(w.user(), users);
    ByUser searches = new ByUser(s.user(), users);
    ByUser impressions = new ByUser(im.user(), users);
    List<Video> videos = d.videos();

    for (int u = 0; u < users; u++) {
      User user = d.users().get(u);

      int from = Math.max(watches.start[u], watches.start[u + 1] - UserProfile.MAX_HISTORY);
      List<UserProfile.Watched> history = new ArrayList<>(watches.start[u + 1] - from);
      for (int k = from; k < watches.start[u + 1]; k++) {
        int row = watches.rows[k];
        history.add(new UserProfile.Watched(videos.get(w.video()[row]).id(), w.ts()[row]));
      }

      // Newest searches first until ten tokens, then restore oldest-first order.
      List<String> tokens = new ArrayList<>();
      for (int k = searches.start[u + 1] - 1;
          k >= searches.start[u] && tokens.size() < UserProfile.MAX_SEARCH_TOKENS;
          k--) {
        String[] q = s.tokens()[searches.rows[k]];
        for (int t = q.length - 1; t >= 0 && tokens.size() < UserProfile.MAX_SEARCH_TOKENS; t--) {
          tokens.add(q[t]);
        }
      }
      java.util.Collections.reverse(tokens);

      // Counts over all impressions of the most recently shown distinct videos.
      Map<String, Integer> counts = new HashMap<>();
      for (int k = impressions.start[u + 1] - 1; k >= impressions.start[u]; k--) {
        String video = videos.get(im.video()[impressions.rows[k]]).id();
        Integer c = counts.get(video);
        if (c != null) {
          counts.put(video, c + 1);
        } else if (counts.size() < UserProfile.MAX_IMPRESSIONS) {
          counts.put(video, 1);
        }
      }

      sink.accept(
          new UserProfile(
              user.id(),
              user.geo(),
              user.language(),
              user.gender(),
              user.age(),
              history,
              tokens,
              counts));
    }
  }

  /** Row indices grouped by user: rows[start[u] .. start[u+1]) in time order. */
  private static final class ByUser {
    final int[] start;
    final int[] rows;

    ByUser(int[] user, int users) {
      start = new int[users + 1];
      for (int u : user) {
        start[u + 1]++;
      }
      for (int u = 0; u < users; u++) {
        start[u + 1] += start[u];
      }
      int[] fill = java.util.Arrays.copyOf(start, users);
      rows = new int[user.length];
      for (int i = 0; i < user.length; i++) {
        rows[fill[user[i]]++] = i;
      }
    }
  }
}
