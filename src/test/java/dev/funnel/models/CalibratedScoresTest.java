package dev.funnel.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.features.UserProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scores through the real DJL ranker of a written and loaded version: the calibration table and the
 * durations survive the round trip, every score is capped at its video's duration, and a version
 * written before either (5-column videos.tsv, no calibration.json) still loads and serves
 * exp(logit).
 */
class CalibratedScoresTest {
  @TempDir static Path root;
  static RandomBundle.Parts parts;
  static int[] durations = new int[RandomBundle.VIDEOS];
  static final WatchTimeCalibration TABLE =
      WatchTimeCalibration.table(new float[] {-3f, 0f, 3f}, new float[] {5f, 20f, 400f});
  static int[] candidates = new int[RandomBundle.VIDEOS];
  static float[] retrieval = new float[RandomBundle.VIDEOS];

  @BeforeAll
  static void write() throws IOException {
    for (int v = 0; v < RandomBundle.VIDEOS; v++) {
      // Odd videos are longer than any value of the table, even ones shorter than nearly all.
      durations[v] = v % 2 == 0 ? 1 : 100_000;
      candidates[v] = v;
      retrieval[v] = (v % 13) / 3f - 2f;
    }
    parts = RandomBundle.write(root, durations, TABLE);
  }

  @AfterAll
  static void close() {
    parts.manager().close();
  }

  private static float[] scores(Path version) throws IOException {
    UserProfile p = RandomBundle.profile();
    try (ModelBundle bundle = ModelBundle.load(version);
        RankerModel ranker = bundle.newRanker()) {
      return ranker.expectedWatchSeconds(
          p, candidates, retrieval, candidates.length, RandomBundle.DATA_END);
    }
  }

  /** The same version without its calibration table and durations, as older versions were. */
  private static Path withoutCalibration(String name) throws IOException {
    Path copy = root.resolve(name);
    Files.createDirectories(copy);
    try (var files = Files.list(parts.versionDir())) {
      for (Path f : files.toList()) {
        Files.copy(f, copy.resolve(f.getFileName()));
      }
    }
    Files.delete(copy.resolve(BundleFiles.CALIBRATION));
    List<String> rows = Files.readAllLines(copy.resolve(BundleFiles.VIDEOS));
    Files.write(
        copy.resolve(BundleFiles.VIDEOS),
        rows.stream().map(r -> r.substring(0, r.lastIndexOf('\t'))).toList());
    return copy;
  }

  @Test
  void load_writtenTableAndDurations_sameAsWritten() throws IOException {
    try (ModelBundle bundle = ModelBundle.load(parts.versionDir())) {
      assertEquals(TABLE.toJson(), bundle.calibration().toJson());
      for (int v = 0; v < RandomBundle.VIDEOS; v++) {
        assertEquals(durations[v], bundle.catalog().durationSeconds(v));
      }
    }
  }

  @Test
  void expectedWatchSeconds_tableOfTheLogitCappedAtDuration() throws IOException {
    float[] odds = scores(withoutCalibration("odds"));
    float[] calibrated = scores(parts.versionDir());
    int capped = 0;
    for (int v = 0; v < RandomBundle.VIDEOS; v++) {
      float expected = Math.min(TABLE.seconds((float) Math.log(odds[v])), durations[v]);
      assertEquals(expected, calibrated[v], 1e-4f * expected, "video " + v);
      assertTrue(calibrated[v] <= durations[v], "video " + v);
      capped += calibrated[v] == durations[v] ? 1 : 0;
      if (v % 2 == 1) {
        assertTrue(calibrated[v] < durations[v], "video " + v + " capped");
      }
    }
    assertTrue(capped > 0, "capped " + capped);
  }

  @Test
  void load_versionWithoutCalibration_servesOdds() throws IOException {
    Path old = withoutCalibration("old");
    try (ModelBundle bundle = ModelBundle.load(old)) {
      assertEquals(WatchTimeCalibration.ODDS, bundle.calibration());
      assertEquals(0, bundle.catalog().durationSeconds(7));
    }
    for (float s : scores(old)) {
      assertTrue(s > 0 && Float.isFinite(s));
    }
  }
}
