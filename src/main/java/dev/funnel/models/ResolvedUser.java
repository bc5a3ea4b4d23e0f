package dev.funnel.models;

import java.util.Arrays;

/**
 * A user's features as one model version's dense ids, resolved once per request so that the user
 * tower, the ranker and explanations never look a string up again. Built by {@link
 * FeatureEncoder#resolve} from a stored profile, or by {@link Builder} where a request adds to it.
 * Immutable and thread-safe (the arrays are never handed out).
 *
 * <p>Conventions as {@link FeatureEncoder}'s: a video the model does not know is dense id -1 and
 * keeps its place in the history (it still counts towards the history fill); a token it does not
 * know is vocabulary row 0.
 */
public final class ResolvedUser {
  final int geoRow;
  final int languageRow;
  final int genderRow;
  final int age;
  // the last FeatureEncoder.HISTORY watches, oldest first
  final int[] history;
  final long[] historyTs;
  // the last FeatureEncoder.TOKENS search tokens, oldest first
  final int[] tokenRows;
  // known videos shown to the user, sorted by dense id, and how often each was shown
  private final int[] impressionVideos;
  private final int[] impressionCounts;

  private ResolvedUser(Builder b) {
    this.geoRow = b.geoRow;
    this.languageRow = b.languageRow;
    this.genderRow = b.genderRow;
    this.age = b.age;
    int h = Math.min(b.historySize, FeatureEncoder.HISTORY);
    this.history = Arrays.copyOfRange(b.history, b.historySize - h, b.historySize);
    this.historyTs = Arrays.copyOfRange(b.historyTs, b.historySize - h, b.historySize);
    int t = Math.min(b.tokenSize, FeatureEncoder.TOKENS);
    this.tokenRows = Arrays.copyOfRange(b.tokens, b.tokenSize - t, b.tokenSize);
    long[] shown = Arrays.copyOf(b.shown, b.shownSize);
    Arrays.sort(shown);
    this.impressionVideos = new int[shown.length];
    this.impressionCounts = new int[shown.length];
    for (int i = 0; i < shown.length; i++) {
      impressionVideos[i] = (int) (shown[i] >>> 32);
      impressionCounts[i] = (int) shown[i];
    }
  }

  /** How often the user was shown {@code video} (a dense id); 0 when never. */
  public int impressions(int video) {
    int at = Arrays.binarySearch(impressionVideos, video);
    return at >= 0 ? impressionCounts[at] : 0;
  }

  /** Watches kept (at most {@link FeatureEncoder#HISTORY}), unknown videos included. */
  public int historySize() {
    return history.length;
  }

  public int tokenCount() {
    return tokenRows.length;
  }

  public int languageRow() {
    return languageRow;
  }

  /** Collects one user's features; the last {@code HISTORY} watches and {@code TOKENS} win. */
  public static final class Builder {
    private int geoRow;
    private int languageRow;
    private int genderRow;
    private int age;
    private int[] history = new int[FeatureEncoder.HISTORY];
    private long[] historyTs = new long[FeatureEncoder.HISTORY];
    private int historySize;
    private int[] tokens = new int[FeatureEncoder.TOKENS];
    private int tokenSize;
    private long[] shown = new long[0];
    private int shownSize;

    public Builder demographics(int geoRow, int languageRow, int genderRow, int age) {
      this.geoRow = geoRow;
      this.languageRow = languageRow;
      this.genderRow = genderRow;
      this.age = age;
      return this;
    }

    public Builder geoRow(int row) {
      this.geoRow = row;
      return this;
    }

    public Builder languageRow(int row) {
      this.languageRow = row;
      return this;
    }

    public Builder genderRow(int row) {
      this.genderRow = row;
      return this;
    }

    public Builder age(int age) {
      this.age = age;
      return this;
    }

    /** Appends a watch (dense id, -1 = unknown to the model). */
    public Builder watched(int video, long ts) {
      if (historySize == history.length) {
        history = Arrays.copyOf(history, 2 * historySize);
        historyTs = Arrays.copyOf(historyTs, 2 * historySize);
      }
      history[historySize] = video;
      historyTs[historySize++] = ts;
      return this;
    }

    /** Appends a search token (vocabulary row, 0 = unknown). */
    public Builder token(int row) {
      if (tokenSize == tokens.length) {
        tokens = Arrays.copyOf(tokens, 2 * tokenSize);
      }
      tokens[tokenSize++] = row;
      return this;
    }

    /** Notes that {@code video} was shown {@code count} times; unknown videos (-1) are dropped. */
    public Builder shown(int video, int count) {
      if (video < 0) {
        return this;
      }
      if (shownSize == shown.length) {
        shown = Arrays.copyOf(shown, Math.max(16, 2 * shownSize));
      }
      shown[shownSize++] = ((long) video << 32) | (count & 0xFFFFFFFFL);
      return this;
    }

    public ResolvedUser build() {
      return new ResolvedUser(this);
    }
  }
}
