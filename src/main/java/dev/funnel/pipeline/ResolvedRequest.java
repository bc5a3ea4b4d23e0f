package dev.funnel.pipeline;

import dev.funnel.features.UserProfile;
import dev.funnel.models.FeatureEncoder;
import dev.funnel.models.ResolvedUser;
import dev.funnel.models.VideoCatalog;
import dev.funnel.models.Vocabularies;
import dev.funnel.ranking.ExclusionSet;
import java.util.List;
import java.util.Optional;

/**
 * One request after {@code prepare}: the stored profile merged with what the request adds, as the
 * serving model's dense ids. Every stage after it (user tower, index, ranker, filters, explain)
 * reads these ids; video ids are strings again only in the answer. One exception, measured: the
 * impression counts stay keyed by video id ({@link ResolvedUser#impressions}). Immutable.
 *
 * <p>Merge rules (the request wins): given demographics replace the stored ones; the body's history
 * (known videos only) and then the playing video are appended to the stored history at {@code
 * nowTs}; the context's searches are appended to the stored tokens. Everything the user watched
 * (stored and given), the {@code exclude} list and the playing video are excluded.
 *
 * @param userId the requested user, or null (anonymous)
 * @param count how many videos to return
 * @param nowTs the serving clock when the request was resolved, epoch seconds
 * @param user the model inputs of the merged user
 * @param excluded dense ids never to return
 * @param playing dense id of the playing video (watch-next), -1 otherwise
 * @param playingId the playing video's id as given, or null
 * @param profileFound the store had a profile for the user
 * @param personalized the answer is about this user: a stored profile or a known video in the body
 * @param storeFailed the feature read failed: the answer is degraded
 */
public record ResolvedRequest(
    String userId,
    int count,
    long nowTs,
    ResolvedUser user,
    ExclusionSet excluded,
    int playing,
    String playingId,
    boolean profileFound,
    boolean personalized,
    boolean storeFailed) {

  /** Watch-next: the request names a playing video. */
  public boolean related() {
    return playingId != null;
  }

  /**
   * Merges {@code stored} with the query and resolves both once.
   *
   * @param stored the user's stored profile, empty when the store has none or failed
   */
  public static ResolvedRequest resolve(
      RecommendQuery q,
      Optional<UserProfile> stored,
      boolean storeFailed,
      FeatureEncoder encoder,
      long nowTs) {
    VideoCatalog catalog = encoder.catalog();
    Vocabularies vocab = encoder.vocabularies();
    UserProfile base = stored.orElse(ANONYMOUS);
    RequestContext c = q.context();
    ResolvedUser.Builder user =
        new ResolvedUser.Builder()
            .demographics(
                vocab.geos().row(c.geo() != null ? c.geo() : base.geo()),
                vocab.languages().row(c.language() != null ? c.language() : base.language()),
                vocab
                    .genders()
                    .row(UserProfile.normalGender(c.gender() != null ? c.gender() : base.gender())),
                c.age() != null ? c.age() : base.age());

    int[] ids = new int[base.history().size() + q.history().size() + q.exclude().size() + 1];
    int n = 0;
    for (UserProfile.Watched w : base.history()) {
      int dense = catalog.index(w.video());
      user.watched(dense, w.ts());
      ids[n++] = dense;
    }
    boolean bodyHistory = false;
    for (String video : q.history()) {
      int dense = catalog.index(video);
      ids[n++] = dense;
      if (dense >= 0) {
        user.watched(dense, nowTs);
        bodyHistory = true;
      }
    }
    int playing = -1;
    if (q.playing() != null) {
      playing = catalog.index(q.playing());
      user.watched(playing, nowTs);
      ids[n++] = playing;
    }
    for (String v : q.exclude()) {
      ids[n++] = catalog.index(v);
    }

    // Only the last TOKENS of stored + given searches reach the model: look up only those.
    List<String> storedTokens = base.searchTokens();
    List<String> given = c.searches() == null ? List.of() : c.searches();
    int total = storedTokens.size() + given.size();
    for (int i = Math.max(0, total - FeatureEncoder.TOKENS); i < total; i++) {
      String token =
          i < storedTokens.size() ? storedTokens.get(i) : given.get(i - storedTokens.size());
      user.token(vocab.tokens().row(token));
    }
    user.shown(base.impressionCounts());
    return new ResolvedRequest(
        q.userId(),
        q.count(),
        nowTs,
        user.build(),
        ExclusionSet.of(ids, n),
        playing,
        q.playing(),
        stored.isPresent(),
        stored.isPresent() || bodyHistory,
        storeFailed);
  }

  private static final UserProfile ANONYMOUS = UserProfile.anonymous("");
}
