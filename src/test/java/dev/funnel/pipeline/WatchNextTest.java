package dev.funnel.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.funnel.models.ResolvedUser;
import dev.funnel.ranking.ExclusionSet;
import dev.funnel.ranking.Ranker;
import dev.funnel.ranking.ScoredVideos;
import dev.funnel.retrieval.Candidates;
import org.junit.jupiter.api.Test;

/** The pure parts of watch-next: the blended query and the order after the ranker. */
class WatchNextTest {

  @Test
  void blend_itemShorterThanUser_isRescaledBeforeWeighing() {
    // u has length 2, the item length 1: scaled to 2, then weighed half and half.
    float[] q = WatchNext.blend(new float[] {2f, 0f}, new float[] {0f, 1f}, 0.5f);
    assertArrayEquals(new float[] {1f, 1f}, q, 1e-6f);
  }

  @Test
  void blend_noUser_isTheItemAlone() {
    float[] item = {0.3f, -0.2f};
    assertSame(item, WatchNext.blend(null, item, 0.9f));
  }

  @Test
  void order_similarityWeight_putsTheVideoNearestThePlayingOneFirst() {
    // Two videos (dims 2, zero bias); the ranker prefers video 0, the playing video points at 1.
    float[] vectors = {1f, 0f, 0f, 1f};
    float[] bias = {0f, 0f};
    Candidates c = new Candidates(new int[] {0, 1}, new float[] {1f, 1f}, 2);
    Ranker ranker = (ResolvedUser u, Candidates cs, long now) -> new float[] {200f, 100f};
    float[] item = {0f, 1f};
    ResolvedUser anyone = new ResolvedUser.Builder().build();
    ScoredVideos byRanker =
        WatchNext.order(
            ranker, anyone, c, item, vectors, bias, 0L, ExclusionSet.NONE, 2, new int[0], 0f);
    assertEquals(0, byRanker.ids()[0]);
    ScoredVideos blended =
        WatchNext.order(
            ranker, anyone, c, item, vectors, bias, 0L, ExclusionSet.NONE, 2, new int[0], 2f);
    assertEquals(1, blended.ids()[0]);
  }

  @Test
  void params_alphaOutsideZeroOne_isRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new WatchNext.Params(1.5f, 0, 1f, WatchNext.ItemVector.SOFTMAX_ROW));
    assertThrows(
        IllegalArgumentException.class,
        () -> new WatchNext.Params(0.5f, 0, Float.NaN, WatchNext.ItemVector.SOFTMAX_ROW));
  }
}
