package dev.funnel.data;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Streams a dataset directory to disk (format: {@code docs/data-format.md}). Rows are written as
 * they come, so a million-video world never has to sit in memory as objects. Callers must add
 * events of each kind in time order; the writer checks it, because the trainer's time split and
 * next-watch labels depend on it.
 */
public final class DatasetWriter implements AutoCloseable {
  private final Path dir;
  private final BufferedWriter videos;
  private final BufferedWriter users;
  private final BufferedWriter watches;
  private final BufferedWriter searches;
  private final BufferedWriter impressions;
  private long lastWatchTs = Long.MIN_VALUE;
  private long lastSearchTs = Long.MIN_VALUE;
  private long lastImpressionTs = Long.MIN_VALUE;

  public DatasetWriter(Path dir) throws IOException {
    this.dir = dir;
    Files.createDirectories(dir);
    videos = open(Dataset.VIDEOS, Video.HEADER);
    users = open(Dataset.USERS, User.HEADER);
    watches = open(Dataset.WATCHES, Watch.HEADER);
    searches = open(Dataset.SEARCHES, Search.HEADER);
    impressions = open(Dataset.IMPRESSIONS, Impression.HEADER);
  }

  private BufferedWriter open(String name, String header) throws IOException {
    BufferedWriter w = Files.newBufferedWriter(dir.resolve(name), StandardCharsets.UTF_8);
    w.write(header);
    w.newLine();
    return w;
  }

  public void video(Video v) {
    line(videos, v.toRow());
  }

  public void user(User u) {
    line(users, u.toRow());
  }

  public void watch(Watch w) {
    lastWatchTs = ordered(lastWatchTs, w.ts(), Dataset.WATCHES);
    line(watches, w.toRow());
  }

  public void search(Search s) {
    lastSearchTs = ordered(lastSearchTs, s.ts(), Dataset.SEARCHES);
    line(searches, s.toRow());
  }

  public void impression(Impression i) {
    lastImpressionTs = ordered(lastImpressionTs, i.ts(), Dataset.IMPRESSIONS);
    line(impressions, i.toRow());
  }

  /** Writes meta.json; call once all rows are added. */
  public void meta(DatasetMeta meta) throws IOException {
    meta.write(dir.resolve(Dataset.META));
  }

  private static long ordered(long previous, long ts, String file) {
    if (ts < previous) {
      throw new IllegalStateException(
          file + " must be written in time order: " + ts + " after " + previous);
    }
    return ts;
  }

  private static void line(BufferedWriter w, String row) {
    try {
      w.write(row);
      w.newLine();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    for (BufferedWriter w : new BufferedWriter[] {videos, users, watches, searches, impressions}) {
      w.close();
    }
  }
}
