package dev.funnel.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WatchTimeCalibrationTest {
  private static final WatchTimeCalibration TABLE =
      WatchTimeCalibration.table(new float[] {-1f, 0f, 2f}, new float[] {2f, 10f, 50f});

  @Test
  void seconds_betweenKnots_linear() {
    assertEquals(2f, TABLE.seconds(-1f), 1e-6f);
    assertEquals(6f, TABLE.seconds(-0.5f), 1e-6f);
    assertEquals(30f, TABLE.seconds(1f), 1e-6f);
    assertEquals(50f, TABLE.seconds(2f), 1e-6f);
  }

  @Test
  void seconds_outsideKnots_boundedAndStillIncreasing() {
    assertEquals(2f * (float) Math.exp(-3), TABLE.seconds(-4f), 1e-6f);
    assertTrue(TABLE.seconds(3f) > 50f);
    assertTrue(TABLE.seconds(1e6f) <= 50f * (1 + WatchTimeCalibration.HEADROOM));
    assertTrue(TABLE.seconds(20f) > TABLE.seconds(10f));
    assertTrue(Float.isNaN(TABLE.seconds(Float.NaN)));
  }

  @Test
  void odds_isExpOfLogit() {
    assertEquals((float) Math.exp(2.5), WatchTimeCalibration.ODDS.seconds(2.5f), 1e-4f);
  }

  @Test
  void table_notIncreasing_isRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () -> WatchTimeCalibration.table(new float[] {0f, 1f}, new float[] {5f, 5f}));
    assertThrows(
        IllegalArgumentException.class,
        () -> WatchTimeCalibration.table(new float[] {0f, 0f}, new float[] {1f, 5f}));
    assertThrows(
        IllegalArgumentException.class,
        () -> WatchTimeCalibration.table(new float[] {0f}, new float[] {0f}));
  }

  @Test
  void read_writtenTable_sameMapping(@TempDir Path dir) throws IOException {
    TABLE.write(dir);
    WatchTimeCalibration back = WatchTimeCalibration.read(dir);
    for (float z = -3f; z < 4f; z += 0.125f) {
      assertEquals(TABLE.seconds(z), back.seconds(z), 0f);
    }
  }

  @Test
  void read_noFile_odds(@TempDir Path dir) throws IOException {
    WatchTimeCalibration.ODDS.write(dir);
    assertTrue(Files.notExists(dir.resolve(WatchTimeCalibration.FILE)));
    assertEquals(WatchTimeCalibration.ODDS, WatchTimeCalibration.read(dir));
  }

  @Test
  void read_brokenTable_namesTheFile(@TempDir Path dir) throws IOException {
    Files.writeString(
        dir.resolve(WatchTimeCalibration.FILE),
        "{\"method\":\"isotonic\",\"logit\":[1,0],\"seconds\":[1,2]}");
    IOException e = assertThrows(IOException.class, () -> WatchTimeCalibration.read(dir));
    assertTrue(e.getMessage().contains(WatchTimeCalibration.FILE), e.getMessage());
  }
}
