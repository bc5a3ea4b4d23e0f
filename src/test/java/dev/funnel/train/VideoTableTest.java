package dev.funnel.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.funnel.data.Video;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A video table trained as id + side rows, then folded into the plain table serving reads. */
class VideoTableTest {
  static final int VIDEOS = 6;
  static final int WIDTH = 3;

  NDManager m;

  @BeforeEach
  void open() {
    m = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    m.close();
  }

  /** Videos 0..5: topics a,a,b,b,a,c; channels x,y,x,z,z,y; languages en,en,fr,en,fr,en. */
  static UploadFeatures features() {
    String[] topics = {"a", "a", "b", "b", "a", "c"};
    String[] channels = {"x", "y", "x", "z", "z", "y"};
    String[] languages = {"en", "en", "fr", "en", "fr", "en"};
    List<Video> videos = new ArrayList<>();
    for (int v = 0; v < VIDEOS; v++) {
      videos.add(
          new Video("v" + v, topics[v], languages[v], channels[v], 60, 0L, "t", new String[0]));
    }
    return UploadFeatures.of(videos);
  }

  @Test
  void uploadFeatures_sameValueSameRow_rowZeroFree() {
    UploadFeatures f = features();
    assertArrayEquals(new String[] {"topic", "channel", "language"}, f.names());
    assertArrayEquals(new int[] {1, 1, 2, 2, 1, 3}, f.rows()[0]);
    assertArrayEquals(new int[] {1, 2, 1, 3, 3, 2}, f.rows()[1]);
    assertArrayEquals(new int[] {1, 1, 2, 1, 2, 1}, f.rows()[2]);
    assertArrayEquals(new int[] {4, 4, 3}, f.sizes());
  }

  @Test
  void fold_tableHoldsTheRowsTrainingUsed() {
    // Row 0 pads (offset 1). Train a few steps on some videos, so that side rows move, then the
    // rows the forward saw (id + sides) must equal the folded table's rows.
    NDArray table = m.randomNormal(0, 0.1f, new Shape(VIDEOS + 1, WIDTH), DataType.FLOAT32);
    float[] before = table.toFloatArray();
    VideoTable videos = new VideoTable(table, 1, features(), 0.05f);
    RowIndex index = new RowIndex(VIDEOS + 1);
    long[][] batches = {{1, 3}, {2, 5, 1}, {3, 4}};
    for (long[] batch : batches) {
      index.clear();
      long[] at = index.remap(batch, batch.length);
      try (NDManager step = m.newSubManager();
          GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        VideoTable.Gathered g = videos.gather(step, index);
        NDArray rows = VideoTable.lookup(step.create(at), g.rows());
        gc.backward(rows.sum());
        videos.update(g);
      }
    }
    // Table rows 1-5 (videos 0-4) are touched; video 5 (row 6) never is, yet it shares channel y
    // and language en with touched videos, so its row changes through them.
    float[] trained;
    index.clear();
    index.remap(new long[] {0, 1, 2, 3, 4, 5, 6}, VIDEOS + 1);
    try (NDManager step = m.newSubManager()) {
      trained = videos.gather(step, index).rows().toFloatArray();
    }
    float[] idRows = table.toFloatArray();
    for (int j = 0; j < WIDTH; j++) {
      assertEquals(
          Float.floatToRawIntBits(row(before, 6)[j]),
          Float.floatToRawIntBits(row(idRows, 6)[j]),
          "an untouched video's id row does not move");
    }
    videos.fold();
    float[] folded = table.toFloatArray();
    assertArrayEquals(trained, folded, 1e-6f);
    assertArrayEquals(row(before, 0), row(folded, 0), "the padding row takes no side rows");
    assertNotEquals(
        row(before, 6)[0], row(folded, 6)[0], "an untouched video moves with its channel");
    // Folding again adds nothing: the side tables are zero now.
    videos.fold();
    assertArrayEquals(folded, table.toFloatArray(), 0f);
  }

  private static float[] row(float[] t, int row) {
    return Arrays.copyOfRange(t, row * WIDTH, row * WIDTH + WIDTH);
  }
}
