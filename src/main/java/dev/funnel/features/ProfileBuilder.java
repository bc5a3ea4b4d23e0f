package dev.funnel.features;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The one definition of "a user's profile after these events", applied one event at a time in time
 * order: the nearline event path ({@code EventApplier}) and every offline builder of "the profile
 * as of time t" (the loader, the trainer, the evaluator, via {@code ProfileSnapshots}) feed their
 * events through it, so the profile that trains a model is the one that serves it.
 *
 * <ul>
 *   <li>a watch joins the history at its time (oldest first; a watch at a time already present goes
 *       after the ones there); the latest {@link UserProfile#MAX_HISTORY} are kept;
 *   <li>a search's tokens are appended; the last {@link UserProfile#MAX_SEARCH_TOKENS} are kept;
 *   <li>an impression counts one showing ({@link RecentCounts}, {@link UserProfile#MAX_IMPRESSIONS}
 *       most recently shown videos).
 * </ul>
 *
 * Not thread-safe; one builder per profile being built.
 */
public final class ProfileBuilder {
  private final String userId;
  private final String geo;
  private final String language;
  private final String gender;
  private final int age;
  private final ArrayList<UserProfile.Watched> history;
  private final ArrayDeque<String> tokens;
  private final RecentCounts<String> impressions;

  /** A user with these demographics and no events yet. */
  public ProfileBuilder(String userId, String geo, String language, String gender, int age) {
    this(userId, geo, language, gender, age, List.of(), List.of(), null);
  }

  private ProfileBuilder(
      String userId,
      String geo,
      String language,
      String gender,
      int age,
      List<UserProfile.Watched> history,
      List<String> tokens,
      java.util.Map<String, Integer> impressions) {
    this.userId = userId;
    this.geo = geo;
    this.language = language;
    this.gender = gender;
    this.age = age;
    this.history = new ArrayList<>(history);
    this.tokens = new ArrayDeque<>(tokens);
    this.impressions =
        impressions == null
            ? new RecentCounts<>(UserProfile.MAX_IMPRESSIONS)
            : new RecentCounts<>(UserProfile.MAX_IMPRESSIONS, impressions);
  }

  /** Continues from an existing profile (its impressions in their recency order). */
  public static ProfileBuilder from(UserProfile p) {
    return new ProfileBuilder(
        p.userId(),
        p.geo(),
        p.language(),
        p.gender(),
        p.age(),
        p.history(),
        p.searchTokens(),
        p.impressionCounts());
  }

  public ProfileBuilder watch(String video, long ts) {
    int at = history.size();
    while (at > 0 && history.get(at - 1).ts() > ts) {
      at--;
    }
    history.add(at, new UserProfile.Watched(video, ts));
    if (history.size() > UserProfile.MAX_HISTORY) {
      history.remove(0);
    }
    return this;
  }

  /** A search's tokens, already normalised (see {@code EventApplier.tokens}). */
  public ProfileBuilder search(List<String> queryTokens) {
    for (String t : queryTokens) {
      tokens.addLast(t);
      if (tokens.size() > UserProfile.MAX_SEARCH_TOKENS) {
        tokens.removeFirst();
      }
    }
    return this;
  }

  public ProfileBuilder impression(String video) {
    impressions.show(video);
    return this;
  }

  public UserProfile build() {
    return new UserProfile(
        userId, geo, language, gender, age, history, new ArrayList<>(tokens), impressions.asMap());
  }
}
