package dev.funnel.features;

import dev.funnel.events.UserEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Applies events to a profile, used by every {@code FeatureStore} (so Redis and the embedded store
 * change profiles identically). What an event means for the features is {@link ProfileBuilder}'s
 * rule, the same one the offline profiles (loader, trainer, evaluator) are built with. Pure and
 * thread-safe.
 *
 * <ul>
 *   <li><b>watch</b>: the video joins the history at its time (history stays oldest first; the last
 *       {@link UserProfile#MAX_HISTORY} are kept). Every watched video is excluded from
 *       recommendations by the pipeline.
 *   <li><b>impression</b>: the video's shown-count goes up by one and it becomes the most recently
 *       shown; the {@link UserProfile#MAX_IMPRESSIONS} most recently shown videos are kept.
 *   <li><b>search</b>: the query's tokens (lower-cased, split on anything but letters and digits,
 *       each at most {@link #MAX_TOKEN_LENGTH} characters) join the search tokens; the last {@link
 *       UserProfile#MAX_SEARCH_TOKENS} are kept.
 * </ul>
 */
public final class EventApplier {
  public static final int MAX_TOKEN_LENGTH = 64;

  private EventApplier() {}

  /**
   * The profile after the events, in the order given. {@code profile} may be null (a user the store
   * does not know yet): events then start from an anonymous profile.
   */
  public static UserProfile apply(String userId, UserProfile profile, List<UserEvent> events) {
    ProfileBuilder b =
        ProfileBuilder.from(profile == null ? UserProfile.anonymous(userId) : profile);
    for (UserEvent e : events) {
      switch (e.type()) {
        case WATCH -> b.watch(e.video(), e.ts());
        case IMPRESSION -> b.impression(e.video());
        case SEARCH -> b.search(tokens(e.query()));
      }
    }
    return b.build();
  }

  /** The search tokens of a query. */
  public static List<String> tokens(String query) {
    List<String> out = new ArrayList<>();
    for (String t : query.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (!t.isEmpty()) {
        out.add(t.length() <= MAX_TOKEN_LENGTH ? t : t.substring(0, MAX_TOKEN_LENGTH));
      }
    }
    return out;
  }

  /**
   * Splits a batch into the events to apply now and the count of duplicates: events whose id is in
   * {@code seen} (applied before) or that repeat an earlier id of the same batch.
   */
  public static List<UserEvent> fresh(List<UserEvent> events, java.util.Set<String> seen) {
    java.util.Set<String> ids = new java.util.HashSet<>(seen);
    List<UserEvent> out = new ArrayList<>(events.size());
    for (UserEvent e : events) {
      if (ids.add(e.id())) {
        out.add(e);
      }
    }
    return out;
  }
}
