package dev.funnel.ranking;

import java.util.Arrays;
import java.util.function.IntUnaryOperator;

/**
 * The variety step after the ranker on the home feed: at most {@code maxPerTopic} videos of one
 * topic in the returned list. Walks the ranked list best first and skips a video whose topic is
 * full; when the list would come out short (the candidates are nearly all of a few topics), the
 * skipped videos fill it, best first. The result is a subsequence of the ranked list, so scores
 * stay non-increasing and videos the cap does not touch keep their order. Stateless and
 * thread-safe.
 */
public final class TopicCap {
  /** No cap: the ranker's top N as it is. */
  public static final int OFF = 0;

  private TopicCap() {}

  /**
   * How many ranked videos the step needs to choose from: every candidate when it is on (the ranker
   * scores them all anyway), else just N.
   */
  public static int pool(int n, int candidates, int maxPerTopic) {
    return maxPerTopic > OFF ? Math.max(n, candidates) : n;
  }

  /**
   * @param ranked videos best first (dense ids, scores non-increasing)
   * @param n list length to return (fewer only when {@code ranked} is shorter)
   * @param topicOf the topic id of a dense video id, {@code >= 0}
   * @param maxPerTopic the cap; {@link #OFF} (or less) returns the first n unchanged
   */
  public static ScoredVideos select(
      ScoredVideos ranked, int n, IntUnaryOperator topicOf, int maxPerTopic) {
    int size = Math.min(n, ranked.size());
    // Every ranked video returned: the cap could only reorder, and it never reorders.
    if (maxPerTopic <= OFF || size == ranked.size()) {
      return truncate(ranked, size);
    }
    boolean[] keep = new boolean[ranked.size()];
    // Topics met so far and their counts: a list holds tens of videos, a scan beats a map.
    int[] topics = new int[size];
    int[] counts = new int[size];
    int distinct = 0;
    int kept = 0;
    for (int i = 0; i < ranked.size() && kept < size; i++) {
      int topic = topicOf.applyAsInt(ranked.ids()[i]);
      int t = 0;
      while (t < distinct && topics[t] != topic) {
        t++;
      }
      if (t == distinct) {
        topics[distinct++] = topic;
      }
      if (counts[t] < maxPerTopic) {
        counts[t]++;
        keep[i] = true;
        kept++;
      }
    }
    // Backfill: a short list would cost more than a topic over the cap.
    for (int i = 0; i < ranked.size() && kept < size; i++) {
      if (!keep[i]) {
        keep[i] = true;
        kept++;
      }
    }
    int[] ids = new int[size];
    float[] scores = new float[size];
    int j = 0;
    for (int i = 0; i < ranked.size() && j < size; i++) {
      if (keep[i]) {
        ids[j] = ranked.ids()[i];
        scores[j++] = ranked.scores()[i];
      }
    }
    return new ScoredVideos(ids, scores);
  }

  private static ScoredVideos truncate(ScoredVideos ranked, int size) {
    return size == ranked.size()
        ? ranked
        : new ScoredVideos(Arrays.copyOf(ranked.ids(), size), Arrays.copyOf(ranked.scores(), size));
  }
}
