package dev.funnel.quality;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.funnel.data.Dataset;
import org.junit.jupiter.api.Test;

class TimeAwarePopularTest {
  static final long DAY = 86_400L;

  /**
   * Video 0 was the hit of long ago (5 watches on day 1), video 1 is this week's (3 watches on days
   * 28-29), video 2 is watched a lot only after the request (day 31+), video 3 once on day 10.
   */
  static Dataset.Watches watches() {
    long[] ts = {
      DAY, DAY, DAY, DAY, DAY, 10 * DAY, 28 * DAY, 29 * DAY, 29 * DAY, 31 * DAY, 31 * DAY, 32 * DAY,
      32 * DAY, 33 * DAY, 33 * DAY, 34 * DAY
    };
    int[] video = {0, 0, 0, 0, 0, 3, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2};
    int[] user = new int[ts.length];
    for (int i = 0; i < user.length; i++) {
      user[i] = i % 3;
    }
    return new Dataset.Watches(user, video, ts, new float[ts.length]);
  }

  @Test
  void recommend_weekWindow_ranksThisWeeksHitFirst() {
    long[] request = {30 * DAY};
    TimeAwarePopular p = new TimeAwarePopular(watches(), request, 7 * DAY, 4);
    int[] list = p.recommend(0, 3, new boolean[4]);
    // In the window: video 1 only; then by all watches before the request: 0 (5), 3 (1).
    assertArrayEquals(new int[] {1, 0, 3}, list);
  }

  @Test
  void recommend_allTime_ranksTheOldHitFirstAndNeverCountsTheFuture() {
    long[] request = {30 * DAY};
    TimeAwarePopular p = new TimeAwarePopular(watches(), request, TimeAwarePopular.ALL_TIME, 4);
    int[] list = p.recommend(0, 4, new boolean[4]);
    assertArrayEquals(new int[] {0, 1, 3, 2}, list);
    assertEquals(0f, p.scores(30 * DAY)[2], "video 2's watches all come after the request");
  }

  @Test
  void recommend_laterRequest_seesTheLaterHit() {
    long[] request = {40 * DAY};
    TimeAwarePopular p = new TimeAwarePopular(watches(), request, 7 * DAY, 4);
    assertEquals(2, p.recommend(0, 1, new boolean[4])[0]);
  }

  @Test
  void recommend_excludedVideo_isSkipped() {
    long[] request = {30 * DAY};
    TimeAwarePopular p = new TimeAwarePopular(watches(), request, 7 * DAY, 4);
    boolean[] excluded = {false, true, false, false};
    assertEquals(0, p.recommend(0, 1, excluded)[0]);
  }

  @Test
  void constructor_unorderedWatches_rejected() {
    Dataset.Watches w =
        new Dataset.Watches(new int[2], new int[2], new long[] {2 * DAY, DAY}, new float[2]);
    assertThrows(
        IllegalArgumentException.class,
        () -> new TimeAwarePopular(w, new long[] {3 * DAY}, DAY, 1));
  }
}
