package dev.funnel.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.data.Dataset;
import dev.funnel.testing.TinyWorld;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ItemAvailabilityTest {
  @TempDir static Path tmp;
  static Dataset data;
  static LeaveLastOutSplit split;

  @BeforeAll
  static void world() throws IOException {
    data = Dataset.read(TinyWorld.write(tmp.resolve("w"), TinyWorld.Spec.tiny()));
    split = LeaveLastOutSplit.of(data, 5, 10);
  }

  /**
   * Recommends the videos that appeared last first (tiny world: all are uploaded before its first
   * watch, so "appeared" is the first watch), and remembers every list it returned.
   */
  private static final class Newest implements Recommender {
    final float[] scores;
    final java.util.Map<Integer, int[]> lists = new java.util.HashMap<>();

    Newest(ItemAvailability a) {
      scores = new float[a.videos()];
      for (int v = 0; v < scores.length; v++) {
        scores[v] = a.since(v);
      }
    }

    @Override
    public String name() {
      return "newest";
    }

    @Override
    public int[] recommend(int user, int k, boolean[] excluded) {
      int[] list = Recommender.topK(scores, excluded, k);
      lists.put(user, list);
      return list;
    }
  }

  @Test
  void listMetrics_withAvailability_recommendsOnlyWhatExistedAtTheRequest() {
    ItemAvailability available = ItemAvailability.firstWatched(data);
    Newest newest = new Newest(available);
    QualityEvaluation.listMetrics(split, newest, available);
    int checked = 0;
    for (int u : split.evaluatedUsers()) {
      for (int v : newest.lists.get(u)) {
        assertTrue(
            available.since(v) <= split.requestTs()[u],
            "user " + u + " got video " + v + " first watched after the request");
        checked++;
      }
    }
    assertTrue(checked > 0);
  }

  @Test
  void listMetrics_withoutAvailability_newestListsReachIntoTheFuture() {
    // The check above can fail: without the filter, the same method recommends the future.
    ItemAvailability available = ItemAvailability.firstWatched(data);
    Newest newest = new Newest(available);
    QualityEvaluation.listMetrics(split, newest);
    boolean future = false;
    for (int u : split.evaluatedUsers()) {
      for (int v : newest.lists.get(u)) {
        future |= available.since(v) > split.requestTs()[u];
      }
    }
    assertTrue(future);
  }

  @Test
  void listMetrics_withAvailability_leavesTheExclusionsAsTheyWere() {
    boolean[] seen = new boolean[1];
    ItemAvailability first = ItemAvailability.firstWatched(data);
    int[][] trainItems = split.trainItems();
    Recommender probe =
        new Recommender() {
          @Override
          public String name() {
            return "probe";
          }

          @Override
          public int[] recommend(int user, int k, boolean[] excluded) {
            int count = 0;
            for (boolean e : excluded) {
              count += e ? 1 : 0;
            }
            // Exactly the user's watches plus the videos that had not appeared yet.
            long ts = split.requestTs()[user];
            boolean[] watched = new boolean[excluded.length];
            for (int w : trainItems[user]) {
              watched[w] = true;
            }
            int expected = 0;
            for (int v = 0; v < excluded.length; v++) {
              expected += watched[v] || first.since(v) > ts ? 1 : 0;
            }
            assertEquals(expected, count, "user " + user);
            seen[0] = true;
            return new int[0];
          }
        };
    QualityEvaluation.listMetrics(split, probe, first);
    assertTrue(seen[0]);
  }

  @Test
  void firstWatched_video_existsFromItsFirstWatchByAnyone() {
    ItemAvailability first = ItemAvailability.firstWatched(data);
    Dataset.Watches w = data.watches();
    int v = w.video()[w.size() / 2];
    long firstTs = Long.MAX_VALUE;
    for (int i = 0; i < w.size(); i++) {
      if (w.video()[i] == v) {
        firstTs = Math.min(firstTs, w.ts()[i]);
      }
    }
    assertTrue(first.existed(v, firstTs));
    assertFalse(first.existed(v, firstTs - 1));
  }

  @Test
  void of_syntheticWorld_usesUploadTimes() {
    ItemAvailability a = ItemAvailability.of(data);
    for (int v = 0; v < data.videos().size(); v++) {
      assertEquals(data.videos().get(v).uploadTs(), a.since(v));
    }
  }
}
