package dev.funnel.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.data.Dataset;
import dev.funnel.data.movielens.MovieLensImporter;
import dev.funnel.testing.MovieLensDir;
import dev.funnel.testing.TinyWorld;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaveLastOutSplitTest {
  @TempDir Path tmp;

  /** Every training event of an evaluated user is strictly before their request time. */
  static void assertNothingFromTheFuture(LeaveLastOutSplit s) {
    Dataset t = s.train();
    for (int i = 0; i < t.watches().size(); i++) {
      assertTrue(t.watches().ts()[i] < s.requestTs()[t.watches().user()[i]], "watch " + i);
    }
    for (int i = 0; i < t.searches().size(); i++) {
      assertTrue(t.searches().ts()[i] < s.requestTs()[t.searches().user()[i]], "search " + i);
    }
    for (int i = 0; i < t.impressions().size(); i++) {
      assertTrue(
          t.impressions().ts()[i] < s.requestTs()[t.impressions().user()[i]], "impression " + i);
    }
  }

  @Test
  void of_tinyWorld_holdsOutLastWatchesAndTrainsOnlyOnThePast() throws IOException {
    Dataset data = Dataset.read(TinyWorld.write(tmp.resolve("w"), TinyWorld.Spec.tiny()));
    LeaveLastOutSplit s = LeaveLastOutSplit.of(data, 5, 10);
    assertTrue(s.evaluatedUsers().length > 200, "most users are evaluated");
    assertNothingFromTheFuture(s);
    int[][] train = s.trainItems();
    Dataset.Watches w = data.watches();
    for (int u : s.evaluatedUsers()) {
      Set<Integer> seen = new HashSet<>();
      for (int v : train[u]) {
        seen.add(v);
      }
      // The held-out videos are among the user's last five watches, and none was seen before.
      long lastFifthTs = Long.MAX_VALUE;
      int count = 0;
      for (int i = w.size() - 1; i >= 0 && count < 5; i--) {
        if (w.user()[i] == u) {
          lastFifthTs = w.ts()[i];
          count++;
        }
      }
      assertEquals(lastFifthTs, s.requestTs()[u]);
      for (int v : s.heldOut()[u]) {
        assertFalse(seen.contains(v), "held-out video was watched in training");
      }
      assertTrue(s.heldOut()[u].length <= 5);
    }
    // Users that are not evaluated keep all their events.
    assertEquals(data.users().size(), s.train().users().size());
  }

  @Test
  void validation_tinyWorld_holdsOutEachUsersLastFiveWatchesBeforeTheTestOnes() throws IOException {
    Dataset data = Dataset.read(TinyWorld.write(tmp.resolve("w"), TinyWorld.Spec.tiny()));
    LeaveLastOutSplit test = LeaveLastOutSplit.of(data, 5, 10);
    LeaveLastOutSplit v = QualityReport.validation(test, 5, 10);
    assertNothingFromTheFuture(v);
    assertTrue(v.evaluatedUsers().length > 200, "most users are evaluated on validation too");
    int[][] before = test.trainItems();
    Dataset.Watches w = test.train().watches();
    int targets = 0;
    for (int u : v.evaluatedUsers()) {
      assertTrue(v.requestTs()[u] < test.requestTs()[u], "validation asks before the test");
      // The request is the fifth-last watch the test's training side kept for this user, and the
      // targets are among those last five (not only the last one).
      long fifthLast = 0;
      Set<Integer> lastFive = new HashSet<>();
      for (int i = w.size() - 1, n = 0; i >= 0 && n < 5; i--) {
        if (w.user()[i] == u) {
          fifthLast = w.ts()[i];
          lastFive.add(w.video()[i]);
          n++;
        }
      }
      assertEquals(fifthLast, v.requestTs()[u], "user " + u);
      for (int target : v.heldOut()[u]) {
        assertTrue(lastFive.contains(target), "target among the last five");
      }
      targets += v.heldOut()[u].length;
      assertTrue(v.trainItems()[u].length <= before[u].length - 5);
    }
    // One held out per user would give exactly one target each.
    assertTrue(targets > 2 * v.evaluatedUsers().length, "targets: " + targets);
  }

  @Test
  void of_movieLens_nothingFromTheFutureInTraining() throws IOException {
    Path in = MovieLensDir.require();
    MovieLensImporter.importDir(in, tmp.resolve("ml"));
    Dataset data = Dataset.read(tmp.resolve("ml"));
    LeaveLastOutSplit s = LeaveLastOutSplit.of(data, 5, 10);
    assertNothingFromTheFuture(s);
    assertTrue(s.evaluatedUsers().length > 550, "users evaluated: " + s.evaluatedUsers().length);
    assertTrue(s.train().watches().size() < data.watches().size() - 550 * 5 + 1);
    // The report's validation slice (the same rule on the training side) keeps most users.
    LeaveLastOutSplit v = QualityReport.validation(s, 5, 10);
    assertNothingFromTheFuture(v);
    assertTrue(v.evaluatedUsers().length > 580, "validation users: " + v.evaluatedUsers().length);
  }
}
