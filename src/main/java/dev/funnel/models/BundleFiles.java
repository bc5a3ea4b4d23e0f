package dev.funnel.models;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Names of the files of a model version directory, and the raw float32 vector format. */
public final class BundleFiles {
  /** Bumped when the layout changes incompatibly; load refuses other formats. */
  public static final int FORMAT = 1;

  public static final String LATEST = "LATEST";
  public static final String MANIFEST = "model.json";
  public static final String VIDEOS = "videos.tsv";
  public static final String VIDEO_VECTORS = "video_vectors.f32";
  public static final String VIDEO_BIAS = "video_bias.f32";
  public static final String POPULAR = "popular.txt";
  public static final String QUANTILES = Quantiles.FILE;

  /** Optional: versions without it serve exp(logit) (capped at the video's duration). */
  public static final String CALIBRATION = WatchTimeCalibration.FILE;

  /** DJL parameter file prefixes: {@code user_tower-0000.params}, {@code ranker-0000.params}. */
  public static final String USER_TOWER = "user_tower";

  public static final String RANKER = "ranker";

  private BundleFiles() {}

  /** Writes little-endian float32 values. */
  static void writeFloats(Path file, float[] values) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(values);
    try (FileChannel ch =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
    }
  }

  /** Reads exactly {@code count} little-endian float32 values, or fails naming the file. */
  static float[] readFloats(Path file, long count) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size != count * 4) {
        throw new IOException(
            file.getFileName()
                + ": expected "
                + count * 4
                + " bytes ("
                + count
                + " floats), got "
                + size);
      }
      if (size > Integer.MAX_VALUE) {
        throw new IOException(file.getFileName() + ": too large for one array");
      }
      ByteBuffer buf = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
      while (buf.hasRemaining() && ch.read(buf) >= 0) {}
      buf.flip();
      float[] out = new float[(int) count];
      buf.asFloatBuffer().get(out);
      return out;
    }
  }
}
