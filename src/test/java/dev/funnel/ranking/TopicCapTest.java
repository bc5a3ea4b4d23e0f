package dev.funnel.ranking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;

class TopicCapTest {
  // Video id v has topic v / 10: ids 10..19 are topic 1, 20..29 topic 2, ...
  private static final IntUnaryOperator TENS = v -> v / 10;

  private static ScoredVideos ranked(int... ids) {
    float[] scores = new float[ids.length];
    for (int i = 0; i < ids.length; i++) {
      scores[i] = 100f - i;
    }
    return new ScoredVideos(ids, scores);
  }

  @Test
  void select_dominantTopic_capsItAndFillsFromTheNextBestInRankOrder() {
    ScoredVideos in = ranked(10, 11, 12, 13, 20, 14, 30, 21, 15, 40);
    ScoredVideos out = TopicCap.select(in, 6, TENS, 2);
    assertArrayEquals(new int[] {10, 11, 20, 30, 21, 40}, out.ids());
    assertArrayEquals(new float[] {100f, 99f, 96f, 94f, 93f, 91f}, out.scores());
  }

  @Test
  void select_topicsRunOut_backfillsPastTheCapBestFirst() {
    // Only two topics among the candidates: 2 + 2 under the cap, then the best skipped ones.
    ScoredVideos in = ranked(10, 11, 12, 13, 20, 14, 21, 22);
    ScoredVideos out = TopicCap.select(in, 6, TENS, 2);
    assertArrayEquals(new int[] {10, 11, 12, 13, 20, 21}, out.ids());
  }

  @Test
  void select_randomLists_respectTheCapWheneverEnoughTopicsAndKeepScoresSorted() {
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(7);
    for (int trial = 0; trial < 200; trial++) {
      int m = 1 + rnd.nextInt(60);
      int topics = 1 + rnd.nextInt(8);
      int[] ids = new int[m];
      for (int i = 0; i < m; i++) {
        ids[i] = i * 100 + rnd.nextInt(topics); // distinct ids, topic = id % 100
      }
      IntUnaryOperator topic = v -> v % 100;
      int cap = 1 + rnd.nextInt(4);
      int n = 1 + rnd.nextInt(25);
      ScoredVideos out = TopicCap.select(ranked(ids), n, topic, cap);
      assertEquals(Math.min(n, m), out.size(), "never shorter than the candidates allow");
      Map<Integer, Integer> perTopic = new HashMap<>();
      Map<Integer, Integer> available = new HashMap<>();
      for (int v : ids) {
        available.merge(topic.applyAsInt(v), 1, Integer::sum);
      }
      for (int i = 0; i < out.size(); i++) {
        perTopic.merge(topic.applyAsInt(out.ids()[i]), 1, Integer::sum);
        assertTrue(i == 0 || out.scores()[i] <= out.scores()[i - 1], "scores sorted");
      }
      int roomUnderCap = available.values().stream().mapToInt(c -> Math.min(c, cap)).sum();
      if (roomUnderCap >= out.size()) {
        perTopic.values().forEach(c -> assertTrue(c <= cap, "over the cap: " + perTopic));
      }
    }
  }

  @Test
  void select_off_returnsTheRankerTopN() {
    ScoredVideos in = ranked(10, 11, 12, 13, 20);
    assertArrayEquals(new int[] {10, 11, 12}, TopicCap.select(in, 3, TENS, TopicCap.OFF).ids());
    assertSame(in, TopicCap.select(in, 9, TENS, 1), "all candidates asked for: nothing to cap");
  }

  @Test
  void pool_on_ranksEveryCandidate() {
    assertEquals(300, TopicCap.pool(20, 300, 3));
    assertEquals(20, TopicCap.pool(20, 300, TopicCap.OFF));
    assertEquals(500, TopicCap.pool(500, 300, 3));
  }
}
