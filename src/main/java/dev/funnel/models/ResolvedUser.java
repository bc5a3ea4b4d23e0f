package dev.funnel.models;

import java.util.Arrays;
import java.util.Map;

/**
 * A user's features as one model version's dense ids, resolved once per request so that the user
 * tower, the ranker and explanations never look a string up again. Built by {@link
 * FeatureEncoder#resolve} from a stored profile, or by {@link Builder} where a request adds to it.
 * Immutable and thread-safe (the arrays are never handed out).
 *
 * <p>Impressions are the exception: see {@link #impressions}.
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
  // How often each video was shown to the user, by video id: the stored profile's own (read-only)
  // map, not resolved to dense ids. Resolving its 200 ids costs 200 probes of the catalogue's
  // 1M-entry map per request (about 190 µs at RW-1M under load), while the ranker's per-candidate
  // lookup by the catalogue's id string (hash cached) in this small map costs 40-85 µs for 300
  // candidates (docs/benchmarks.md, "Fourth pass").
  private final Map<String, Integer> shown;

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
    this.shown = b.shown;
  }

  /** How often the user was shown the video with this id; 0 when never. */
  public int impressions(String videoId) {
    return shown.getOrDefault(videoId, 0);
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
    private Map<String, Integer> shown = Map.of();

    public Builder demographics(int geoRow, int languageRow, int genderRow, int age) {
      this.geoRow = geoRow;
      this.languageRow = languageRow;
      this.genderRow = genderRow;
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

    /**
     * How often each video was shown to the user, by video id; kept, not copied, so it must be
     * read-only (as a {@code UserProfile}'s is).
     */
    public Builder shown(Map<String, Integer> counts) {
      this.shown = counts;
      return this;
    }

    public ResolvedUser build() {
      return new ResolvedUser(this);
    }
  }
}
