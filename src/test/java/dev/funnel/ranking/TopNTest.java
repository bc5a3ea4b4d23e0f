package dev.funnel.ranking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class TopNTest {
  @Test
  void select_sortsByScoreDropsDuplicatesAndNaN() {
    int[] ids = {10, 11, 12, 13, 11, 14};
    float[] scores = {1f, 9f, 5f, Float.NaN, 8f, 3f};
    ScoredVideos top = TopN.select(ids, scores, ids.length, ExclusionSet.NONE, 3, null);
    assertArrayEquals(new int[] {11, 12, 14}, top.ids());
    assertArrayEquals(new float[] {9f, 5f, 3f}, top.scores());
  }

  @Test
  void select_negativeZeroAndTiedScores_descendingTiesInRetrievalOrder() {
    int[] ids = {1, 2, 3, 4, 5, 6, 7};
    float[] scores = {-2f, 0.5f, -0.25f, 0.5f, -100f, 0f, Float.NEGATIVE_INFINITY};
    ScoredVideos top = TopN.select(ids, scores, ids.length, ExclusionSet.NONE, 7, null);
    assertArrayEquals(new int[] {2, 4, 6, 3, 1, 5, 7}, top.ids());
  }

  @Test
  void select_tooFewCandidates_topsUpFromFallbackBelowRankedScores() {
    int[] ids = {1, 2};
    float[] scores = {4f, 6f};
    ScoredVideos top =
        TopN.select(ids, scores, 2, ExclusionSet.of(new int[] {7}, 1), 4, new int[] {2, 7, 8, 9});
    assertArrayEquals(new int[] {2, 1, 8, 9}, top.ids());
    assertArrayEquals(new float[] {6f, 4f, 0f, 0f}, top.scores());
  }

  @Test
  void select_separateOrderKeys_ordersByThemAndKeepsTheScores() {
    int[] ids = {1, 2, 3, 4};
    float[] retrieval = {9f, 7f, 5f, 3f};
    float[] seconds = {10f, 400f, Float.NaN, 20f};
    ScoredVideos top = TopN.select(ids, retrieval, seconds, 4, ExclusionSet.NONE, 4, new int[] {8});
    assertArrayEquals(new int[] {1, 2, 4, 8}, top.ids());
    // The fallback scores no higher than anything kept, though the kept scores are not sorted.
    assertArrayEquals(new float[] {10f, 400f, 20f, 0f}, top.scores());
  }

  @Test
  void exclusionSet_of_dropsUnknownAndDuplicateIds() {
    ExclusionSet s = ExclusionSet.of(new int[] {5, -1, 5, 3, 99}, 4);
    assertArrayEquals(
        new boolean[] {true, true, false},
        new boolean[] {s.contains(3), s.contains(5), s.contains(99)});
  }
}
