package dev.funnel.models;

import dev.funnel.features.UserProfile;
import java.util.List;

/**
 * The one place where user features become model inputs, for training and serving alike, so the two
 * cannot drift. Each encoding has a dense-id entry point (what the trainer uses, straight from the
 * dataset's columns), a {@link ResolvedUser} entry point (what the server uses: a request resolved
 * to dense ids once) and a {@link UserProfile} entry point (offline tools) that resolves the
 * profile ({@link #resolve}) and then calls the resolved one.
 *
 * <p>Conventions: embedding row 0 is padding and out-of-vocabulary; the models mask it out of
 * averages, so an unknown video or token counts as absent. "Never" (no watch yet) is encoded as
 * {@link #NEVER_SECONDS}, which the CDF maps to 1.
 *
 * <p>Immutable and thread-safe; the buffers it writes into are not.
 */
public final class FeatureEncoder {
  public static final int HISTORY = UserProfile.MAX_HISTORY;
  public static final int TOKENS = UserProfile.MAX_SEARCH_TOKENS;

  /** geo, language, gender. */
  public static final int USER_CATEGORICAL = 3;

  /** age, age², √age, example age, its square and root, history fill, token fill. */
  public static final int USER_DENSE = 8;

  /** Raw continuous ranker features, in this order (also the names in quantiles.json). */
  public static final List<String> RANKER_RAW_NAMES =
      List.of(
          "seconds_since_last_watch",
          "seconds_since_topic_watch",
          "previous_impressions",
          "video_age_seconds",
          "retrieval_score");

  public static final int RANKER_RAW = 5;

  /** Each raw feature as CDF x, x² and √x. */
  public static final int RANKER_DENSE = 3 * RANKER_RAW;

  /** Stand-in for "never happened": ten years, beyond any quantile edge. */
  public static final float NEVER_SECONDS = 10f * 365 * 86400;

  private static final float MAX_AGE_YEARS = 100f;

  private final Vocabularies vocabularies;
  private final VideoCatalog catalog;
  private final Quantiles quantiles;
  private final float exampleAgeScale;
  private final int[] videoLanguageRow;

  /**
   * @param quantiles the ranker's CDFs; may be null while only the user tower is used (training of
   *     the candidate model, before the ranker's features exist)
   * @param exampleAgeScaleSeconds the example age mapped to 1 (the training window's length)
   */
  public FeatureEncoder(
      Vocabularies vocabularies,
      VideoCatalog catalog,
      Quantiles quantiles,
      float exampleAgeScaleSeconds) {
    if (quantiles != null && quantiles.features() != RANKER_RAW) {
      throw new IllegalArgumentException(
          "expected " + RANKER_RAW + " quantile features, got " + quantiles.features());
    }
    this.vocabularies = vocabularies;
    this.catalog = catalog;
    this.quantiles = quantiles;
    this.exampleAgeScale = Math.max(1f, exampleAgeScaleSeconds);
    this.videoLanguageRow = new int[catalog.size()];
    for (int v = 0; v < catalog.size(); v++) {
      videoLanguageRow[v] = vocabularies.languages().row(catalog.language(v));
    }
  }

  public Vocabularies vocabularies() {
    return vocabularies;
  }

  public VideoCatalog catalog() {
    return catalog;
  }

  public Quantiles quantiles() {
    return quantiles;
  }

  public float exampleAgeScaleSeconds() {
    return exampleAgeScale;
  }

  // ---- user tower ------------------------------------------------------------------------

  /**
   * A profile as this model version's dense ids: the one place where a stored profile's strings are
   * looked up. Requests that add to the profile build a {@link ResolvedUser} themselves.
   */
  public ResolvedUser resolve(UserProfile p) {
    ResolvedUser.Builder b =
        new ResolvedUser.Builder()
            .demographics(
                vocabularies.geos().row(p.geo()),
                vocabularies.languages().row(p.language()),
                vocabularies.genders().row(p.gender()),
                p.age());
    for (UserProfile.Watched w : p.history()) {
      b.watched(catalog.index(w.video()), w.ts());
    }
    for (String token : p.searchTokens()) {
      b.token(vocabularies.tokens().row(token));
    }
    return b.shown(p.impressionCounts()).build();
  }

  /** Serving: the profile as the tower's input row {@code row}, example age 0. */
  public void encodeUser(UserProfile p, UserInputs out, int row) {
    encodeUser(resolve(p), out, row);
  }

  /** Serving: a resolved user as the tower's input row {@code row}, example age 0. */
  public void encodeUser(ResolvedUser u, UserInputs out, int row) {
    encodeUser(u, 0f, out, row);
  }

  /**
   * As {@link #encodeUser(ResolvedUser, UserInputs, int)} with the given example age: a replay of a
   * past request (the quality report) uses the end of training − the request time, what "0 at
   * serving" means for it.
   */
  public void encodeUser(ResolvedUser u, float exampleAgeSeconds, UserInputs out, int row) {
    encodeUser(
        u.history,
        0,
        u.history.length,
        u.tokenRows,
        0,
        u.tokenRows.length,
        u.geoRow,
        u.languageRow,
        u.genderRow,
        u.age,
        exampleAgeSeconds,
        out,
        row);
  }

  /**
   * Training and serving: one input row from dense ids. Only the last {@link #HISTORY} videos and
   * {@link #TOKENS} tokens of the given ranges are used.
   *
   * @param videos dense video ids (negative = unknown), oldest first; range [from, to)
   * @param tokenRows token vocabulary rows, oldest first; range [tokenFrom, tokenTo)
   * @param exampleAgeSeconds how long before the end of training the example was logged; 0 at
   *     serving
   */
  public void encodeUser(
      int[] videos,
      int from,
      int to,
      int[] tokenRows,
      int tokenFrom,
      int tokenTo,
      int geoRow,
      int languageRow,
      int genderRow,
      int age,
      float exampleAgeSeconds,
      UserInputs out,
      int row) {
    int start = Math.max(from, to - HISTORY);
    int h = row * HISTORY;
    for (int i = 0; i < HISTORY; i++) {
      int k = start + i;
      out.history[h + i] = k < to && videos[k] >= 0 ? videos[k] + 1L : 0L;
    }
    int tokenStart = Math.max(tokenFrom, tokenTo - TOKENS);
    int t = row * TOKENS;
    for (int i = 0; i < TOKENS; i++) {
      int k = tokenStart + i;
      out.tokens[t + i] = k < tokenTo ? tokenRows[k] : 0L;
    }
    int c = row * USER_CATEGORICAL;
    out.categorical[c] = geoRow;
    out.categorical[c + 1] = languageRow;
    out.categorical[c + 2] = genderRow;

    int d = row * USER_DENSE;
    float a = Math.min(Math.max(age, 0), MAX_AGE_YEARS) / MAX_AGE_YEARS;
    float e = Math.min(Math.max(exampleAgeSeconds, 0f) / exampleAgeScale, 1f);
    out.dense[d] = a;
    out.dense[d + 1] = a * a;
    out.dense[d + 2] = (float) Math.sqrt(a);
    out.dense[d + 3] = e;
    out.dense[d + 4] = e * e;
    out.dense[d + 5] = (float) Math.sqrt(e);
    out.dense[d + 6] = (to - start) / (float) HISTORY;
    out.dense[d + 7] = (tokenTo - tokenStart) / (float) TOKENS;
  }

  // ---- ranker ----------------------------------------------------------------------------

  /**
   * Serving: one user (user row 0) and {@code count} candidates starting at {@code from}; rows
   * count..capacity-1 are padding, so the block always sees the same shape.
   */
  public void encodeRanker(
      UserProfile p,
      int[] candidates,
      float[] retrievalScores,
      int from,
      int count,
      long nowTs,
      RankerInputs out) {
    encodeRanker(resolve(p), candidates, retrievalScores, from, count, nowTs, out);
  }

  /** As {@link #encodeRanker(UserProfile, int[], float[], int, int, long, RankerInputs)}. */
  public void encodeRanker(
      ResolvedUser u,
      int[] candidates,
      float[] retrievalScores,
      int from,
      int count,
      long nowTs,
      RankerInputs out) {
    if (count > out.capacity) {
      throw new IllegalArgumentException("count " + count + " > capacity " + out.capacity);
    }
    int[] history = u.history;
    long[] times = u.historyTs;
    encodeRankerUser(out, 0, history, 0, history.length, u.languageRow);
    // The user's side of the raw features once per request, not once per candidate: the last
    // watch, and the latest watch of each topic in the history (as rankerRawFeatures finds them).
    float sinceLastWatch = secondsSince(nowTs, history.length > 0 ? times[history.length - 1] : 0L);
    int[] topics = new int[history.length];
    long[] topicTs = new long[history.length];
    int distinct = 0;
    for (int k = 0; k < history.length; k++) {
      if (history[k] < 0) {
        continue;
      }
      int topic = catalog.topicId(history[k]);
      int j = 0;
      while (j < distinct && topics[j] != topic) {
        j++;
      }
      if (j == distinct) {
        topics[distinct++] = topic;
      }
      if (times[k] > topicTs[j]) {
        topicTs[j] = times[k];
      }
    }
    // Their CDF triples, also once: [last watch | topic never watched | each topic], and the one
    // of "never shown before", the usual impression count. The rest differ per candidate.
    float[] fixed = new float[3 * (distinct + 3)];
    cdfTriple(fixed, 0, 0, sinceLastWatch);
    cdfTriple(fixed, 3, 1, secondsSince(nowTs, 0L));
    for (int j = 0; j < distinct; j++) {
      cdfTriple(fixed, 6 + 3 * j, 1, secondsSince(nowTs, topicTs[j]));
    }
    int unshown = 6 + 3 * distinct;
    cdfTriple(fixed, unshown, 2, 0f);
    for (int r = 0; r < out.capacity; r++) {
      if (r >= count) {
        encodeRankerRow(out, r, -1, 0f, 0f, 0f, 0f, 0f);
        continue;
      }
      int v = candidates[from + r];
      if (v < 0 || v >= catalog.size()) {
        throw new IllegalArgumentException("candidate " + v + " is not a dense video id");
      }
      int topic = catalog.topicId(v);
      int topicAt = 3;
      for (int j = 0; j < distinct; j++) {
        if (topics[j] == topic) {
          topicAt = 6 + 3 * j;
          break;
        }
      }
      // The same values encodeRankerRow writes, with the shared triples copied.
      out.video[r] = v + 1L;
      out.videoLanguage[r] = videoLanguageRow[v];
      int d = r * RANKER_DENSE;
      System.arraycopy(fixed, 0, out.dense, d, 3);
      System.arraycopy(fixed, topicAt, out.dense, d + 3, 3);
      int shown = u.impressions(catalog.id(v));
      if (shown == 0) {
        System.arraycopy(fixed, unshown, out.dense, d + 6, 3);
      } else {
        cdfTriple(out.dense, d + 6, 2, shown);
      }
      cdfTriple(out.dense, d + 9, 3, videoAgeSeconds(v, nowTs));
      cdfTriple(out.dense, d + 12, 4, retrievalScores[from + r]);
    }
  }

  /** One user row of the ranker: history (dense ids, range [from, to)) and language. */
  public void encodeRankerUser(
      RankerInputs out, int userRow, int[] videos, int from, int to, int languageRow) {
    int start = Math.max(from, to - HISTORY);
    int h = userRow * HISTORY;
    for (int i = 0; i < HISTORY; i++) {
      int k = start + i;
      out.history[h + i] = k < to && videos[k] >= 0 ? videos[k] + 1L : 0L;
    }
    out.userLanguage[userRow] = languageRow;
  }

  /**
   * One candidate row from raw values; {@code video} &lt; 0 writes a padding row.
   *
   * @param secondsSinceWatch time since the user's last watch of anything
   * @param secondsSinceTopicWatch time since the user last watched this video's topic
   * @param previousImpressions how often this video was shown to this user before
   */
  public void encodeRankerRow(
      RankerInputs out,
      int row,
      int video,
      float secondsSinceWatch,
      float secondsSinceTopicWatch,
      float previousImpressions,
      float videoAgeSeconds,
      float retrievalScore) {
    out.video[row] = video >= 0 ? video + 1L : 0L;
    out.videoLanguage[row] = video >= 0 ? videoLanguageRow[video] : 0L;
    int d = row * RANKER_DENSE;
    if (video < 0) {
      java.util.Arrays.fill(out.dense, d, d + RANKER_DENSE, 0f);
      return;
    }
    cdfTriple(out.dense, d, 0, secondsSinceWatch);
    cdfTriple(out.dense, d + 3, 1, secondsSinceTopicWatch);
    cdfTriple(out.dense, d + 6, 2, previousImpressions);
    cdfTriple(out.dense, d + 9, 3, videoAgeSeconds);
    cdfTriple(out.dense, d + 12, 4, retrievalScore);
  }

  private void cdfTriple(float[] dense, int at, int feature, float raw) {
    float x = quantiles.cdf(feature, raw);
    dense[at] = x;
    dense[at + 1] = x * x;
    dense[at + 2] = (float) Math.sqrt(x);
  }

  /** Seconds from {@code thenTs} to {@code nowTs}; {@link #NEVER_SECONDS} when thenTs ≤ 0. */
  public static float secondsSince(long nowTs, long thenTs) {
    if (thenTs <= 0) {
      return NEVER_SECONDS;
    }
    return Math.min(NEVER_SECONDS, Math.max(0f, nowTs - thenTs));
  }

  public float videoAgeSeconds(int video, long nowTs) {
    return Math.max(0f, nowTs - catalog.uploadTs(video));
  }

  public int videoLanguageRow(int video) {
    return videoLanguageRow[video];
  }

  /**
   * The raw continuous ranker features of one candidate, in {@link #RANKER_RAW_NAMES} order, as
   * {@link #encodeRanker} computes them before the CDF ({@code quantiles().cdf(i, raw[i])} is the x
   * the model sees). For explanations, off the hot path: it allocates per call.
   */
  public float[] rankerRawFeatures(UserProfile p, int video, float retrievalScore, long nowTs) {
    return rankerRawFeatures(resolve(p), video, retrievalScore, nowTs);
  }

  /** As {@link #rankerRawFeatures(UserProfile, int, float, long)}, for a resolved user. */
  public float[] rankerRawFeatures(ResolvedUser u, int video, float retrievalScore, long nowTs) {
    float[] raw = new float[RANKER_RAW];
    rankerRawFeatures(
        u.history,
        u.historyTs,
        0,
        u.history.length,
        u.impressions(catalog.id(video)),
        video,
        retrievalScore,
        nowTs,
        raw);
    return raw;
  }

  /**
   * Training and serving: the raw continuous ranker features of one candidate from dense ids, into
   * {@code out[0..RANKER_RAW)}. The history is the user's watches, oldest first, range [from, to)
   * (only the last {@link #HISTORY} count, as in a profile): the last one's time is "the last
   * watch", and the latest one of the candidate's topic is "the last watch of the topic".
   *
   * @param videos dense ids of the watched videos (negative = unknown)
   * @param times their watch times
   * @param previousImpressions how often the video was shown to the user before ({@link
   *     dev.funnel.features.RecentCounts}: the profile's capped count)
   */
  public void rankerRawFeatures(
      int[] videos,
      long[] times,
      int from,
      int to,
      float previousImpressions,
      int video,
      float retrievalScore,
      long nowTs,
      float[] out) {
    int start = Math.max(from, to - HISTORY);
    int topic = catalog.topicId(video);
    long topicTs = 0;
    for (int k = start; k < to; k++) {
      if (videos[k] >= 0 && catalog.topicId(videos[k]) == topic && times[k] > topicTs) {
        topicTs = times[k];
      }
    }
    out[0] = secondsSince(nowTs, to > start ? times[to - 1] : 0L);
    out[1] = secondsSince(nowTs, topicTs);
    out[2] = previousImpressions;
    out[3] = videoAgeSeconds(video, nowTs);
    out[4] = retrievalScore;
  }
}
