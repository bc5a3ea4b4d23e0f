package dev.funnel.data;

import dev.funnel.features.ProfileBuilder;
import dev.funnel.features.UserProfile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * A dataset user's {@link UserProfile} as of a time: their events strictly before it, replayed in
 * time order through {@link ProfileBuilder} (the rule the nearline event path applies too). The
 * loader's snapshot ({@link #latest}: the state {@code funnel load} puts in the feature store), the
 * trainer's and the evaluators' "profile just before t" all come from here.
 *
 * <p>Events are grouped by user once (a counting sort of row indices, time order kept), so a
 * profile costs the user's own events only. Watches and searches that the caps would evict anyway
 * are skipped (both are appended in time order, so only the tail can survive); impressions are all
 * replayed, because eviction forgets counts and so depends on the whole sequence.
 */
public final class ProfileSnapshots {
  private final Dataset data;
  private final ByUser watches;
  private final ByUser searches;
  private final ByUser impressions;

  public ProfileSnapshots(Dataset data) {
    this.data = data;
    int users = data.users().size();
    watches = new ByUser(data.watches().user(), users);
    searches = new ByUser(data.searches().user(), users);
    impressions = new ByUser(data.impressions().user(), users);
  }

  /** All users' latest profiles, in {@link Dataset#users()} order. */
  public static List<UserProfile> latest(Dataset d) {
    List<UserProfile> out = new ArrayList<>(d.users().size());
    forEachLatest(d, out::add);
    return out;
  }

  /** Streams all users' latest profiles, in {@link Dataset#users()} order. */
  public static void forEachLatest(Dataset d, Consumer<UserProfile> sink) {
    ProfileSnapshots snapshots = new ProfileSnapshots(d);
    for (int u = 0; u < d.users().size(); u++) {
      sink.accept(snapshots.at(u, Long.MAX_VALUE));
    }
  }

  /** User {@code u} (a row of {@link Dataset#users()}) as of just before {@code ts}. */
  public UserProfile at(int u, long ts) {
    User user = data.users().get(u);
    List<Video> videos = data.videos();
    ProfileBuilder b =
        new ProfileBuilder(user.id(), user.geo(), user.language(), user.gender(), user.age());

    Dataset.Watches w = data.watches();
    int wEnd = watches.end(u, w.ts(), ts);
    for (int k = Math.max(watches.start[u], wEnd - UserProfile.MAX_HISTORY); k < wEnd; k++) {
      int row = watches.rows[k];
      b.watch(videos.get(w.video()[row]).id(), w.ts()[row]);
    }

    Dataset.Searches s = data.searches();
    int sEnd = searches.end(u, s.ts(), ts);
    int sFrom = sEnd;
    for (int tokens = 0;
        sFrom > searches.start[u] && tokens < UserProfile.MAX_SEARCH_TOKENS;
        sFrom--) {
      tokens += s.tokens()[searches.rows[sFrom - 1]].length;
    }
    for (int k = sFrom; k < sEnd; k++) {
      b.search(Arrays.asList(s.tokens()[searches.rows[k]]));
    }

    Dataset.Impressions im = data.impressions();
    int iEnd = impressions.end(u, im.ts(), ts);
    for (int k = impressions.start[u]; k < iEnd; k++) {
      b.impression(videos.get(im.video()[impressions.rows[k]]).id());
    }
    return b.build();
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
      int[] fill = Arrays.copyOf(start, users);
      rows = new int[user.length];
      for (int i = 0; i < user.length; i++) {
        rows[fill[user[i]]++] = i;
      }
    }

    /** End (exclusive) of u's rows with a time strictly before {@code ts}. */
    int end(int u, long[] times, long ts) {
      int lo = start[u];
      int hi = start[u + 1];
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (times[rows[mid]] < ts) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    }
  }
}
