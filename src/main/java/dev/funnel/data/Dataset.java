package dev.funnel.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A dataset directory read into memory, column-wise with dense ids, for the trainer, the evaluator
 * and the feature loader. The on-disk format is documented in {@code docs/data-format.md} and
 * written by {@link DatasetWriter}.
 *
 * <p>Dense ids are positions in {@link #videos()} / {@link #users()}; string ids are kept only
 * there. Event columns are sorted by time (ties in file order), as the writer guarantees.
 */
public final class Dataset {
  public static final String META = "meta.json";
  public static final String VIDEOS = "videos.tsv";
  public static final String USERS = "users.tsv";
  public static final String WATCHES = "watches.tsv";
  public static final String SEARCHES = "searches.tsv";
  public static final String IMPRESSIONS = "impressions.tsv";

  private final DatasetMeta meta;
  private final List<Video> videos;
  private final List<User> users;
  private final Map<String, Integer> videoIndex;
  private final Map<String, Integer> userIndex;
  private final Watches watches;
  private final Searches searches;
  private final Impressions impressions;

  private Dataset(
      DatasetMeta meta,
      List<Video> videos,
      List<User> users,
      Map<String, Integer> videoIndex,
      Map<String, Integer> userIndex,
      Watches watches,
      Searches searches,
      Impressions impressions) {
    this.meta = meta;
    this.videos = videos;
    this.users = users;
    this.videoIndex = videoIndex;
    this.userIndex = userIndex;
    this.watches = watches;
    this.searches = searches;
    this.impressions = impressions;
  }

  /**
   * The same catalogue and users with other event columns (each time-ordered, as {@link #read}
   * guarantees): how an evaluation protocol builds its training side without a round trip to disk.
   */
  public Dataset withEvents(Watches watches, Searches searches, Impressions impressions) {
    return new Dataset(meta, videos, users, videoIndex, userIndex, watches, searches, impressions);
  }

  public DatasetMeta meta() {
    return meta;
  }

  public List<Video> videos() {
    return videos;
  }

  public List<User> users() {
    return users;
  }

  /** Dense video id, or -1 when the id is not in the catalogue. */
  public int videoIndex(String videoId) {
    return videoIndex.getOrDefault(videoId, -1);
  }

  /** Dense user id, or -1 when unknown. */
  public int userIndex(String userId) {
    return userIndex.getOrDefault(userId, -1);
  }

  public Watches watches() {
    return watches;
  }

  public Searches searches() {
    return searches;
  }

  public Impressions impressions() {
    return impressions;
  }

  /** Watch events, time-ordered: parallel columns of dense user/video ids. */
  public record Watches(int[] user, int[] video, long[] ts, float[] watchSeconds) {
    public int size() {
      return user.length;
    }
  }

  /** Search events, time-ordered; tokens are lower-case words. */
  public record Searches(int[] user, long[] ts, String[][] tokens) {
    public int size() {
      return user.length;
    }
  }

  /** Impressions (videos shown), time-ordered; clicked ones carry the watch seconds. */
  public record Impressions(
      int[] user, int[] video, long[] ts, boolean[] clicked, float[] watchSeconds) {
    public int size() {
      return user.length;
    }
  }

  /** Reads a dataset directory; fails with a message naming the file and line on bad input. */
  public static Dataset read(Path dir) throws IOException {
    DatasetMeta meta = DatasetMeta.read(dir.resolve(META));
    List<Video> videos = new ArrayList<>();
    forEachRow(dir.resolve(VIDEOS), Video.HEADER, cols -> videos.add(Video.parse(cols)));
    List<User> users = new ArrayList<>();
    forEachRow(dir.resolve(USERS), User.HEADER, cols -> users.add(User.parse(cols)));
    Map<String, Integer> videoIndex = index(videos.stream().map(Video::id).toList(), VIDEOS);
    Map<String, Integer> userIndex = index(users.stream().map(User::id).toList(), USERS);

    IntColumn wu = new IntColumn(), wv = new IntColumn();
    LongColumn wt = new LongColumn();
    FloatColumn ws = new FloatColumn();
    forEachRow(
        dir.resolve(WATCHES),
        Watch.HEADER,
        cols -> {
          Watch w = Watch.parse(cols);
          wu.add(lookup(userIndex, w.user(), USERS));
          wv.add(lookup(videoIndex, w.video(), VIDEOS));
          wt.add(ordered(wt, w.ts()));
          ws.add(w.watchSeconds());
        });

    IntColumn su = new IntColumn();
    LongColumn st = new LongColumn();
    List<String[]> stokens = new ArrayList<>();
    Path searchFile = dir.resolve(SEARCHES);
    if (Files.exists(searchFile)) {
      forEachRow(
          searchFile,
          Search.HEADER,
          cols -> {
            Search s = Search.parse(cols);
            su.add(lookup(userIndex, s.user(), USERS));
            st.add(ordered(st, s.ts()));
            stokens.add(s.tokens());
          });
    }

    IntColumn iu = new IntColumn(), iv = new IntColumn();
    LongColumn it = new LongColumn();
    List<Boolean> ic = new ArrayList<>();
    FloatColumn is = new FloatColumn();
    Path impressionFile = dir.resolve(IMPRESSIONS);
    if (Files.exists(impressionFile)) {
      forEachRow(
          impressionFile,
          Impression.HEADER,
          cols -> {
            Impression i = Impression.parse(cols);
            iu.add(lookup(userIndex, i.user(), USERS));
            iv.add(lookup(videoIndex, i.video(), VIDEOS));
            it.add(ordered(it, i.ts()));
            ic.add(i.clicked());
            is.add(i.watchSeconds());
          });
    }
    boolean[] clicked = new boolean[ic.size()];
    for (int k = 0; k < clicked.length; k++) {
      clicked[k] = ic.get(k);
    }
    return new Dataset(
        meta,
        List.copyOf(videos),
        List.copyOf(users),
        videoIndex,
        userIndex,
        new Watches(wu.toArray(), wv.toArray(), wt.toArray(), ws.toArray()),
        new Searches(su.toArray(), st.toArray(), stokens.toArray(new String[0][])),
        new Impressions(iu.toArray(), iv.toArray(), it.toArray(), clicked, is.toArray()));
  }

  private static Map<String, Integer> index(List<String> ids, String file) {
    Map<String, Integer> index = new HashMap<>(ids.size() * 2);
    for (int i = 0; i < ids.size(); i++) {
      if (index.put(ids.get(i), i) != null) {
        throw new DatasetFormatException(file + ": duplicate id '" + ids.get(i) + "'");
      }
    }
    return index;
  }

  /** Dense id of a user or video; the caller's row reader adds file:line to the message. */
  private static int lookup(Map<String, Integer> index, String id, String catalogue) {
    Integer dense = index.get(id);
    if (dense == null) {
      throw new IllegalArgumentException("unknown id '" + id + "' (not in " + catalogue + ")");
    }
    return dense;
  }

  /** Events must be in time order: the trainer's time split and next-watch labels rely on it. */
  private static long ordered(LongColumn column, long ts) {
    if (column.size > 0 && ts < column.data[column.size - 1]) {
      throw new IllegalArgumentException(
          "ts "
              + ts
              + " is before the previous row's "
              + column.data[column.size - 1]
              + " (events must be in time order)");
    }
    return ts;
  }

  interface RowConsumer {
    void accept(String[] columns);
  }

  static void forEachRow(Path file, String header, RowConsumer consumer) throws IOException {
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String first = reader.readLine();
      if (first == null || !first.equals(header)) {
        throw new DatasetFormatException(
            file.getFileName() + ":1: expected header '" + header + "', got '" + first + "'");
      }
      int expected = header.split("\t", -1).length;
      String line;
      long lineNo = 1;
      while ((line = reader.readLine()) != null) {
        lineNo++;
        if (line.isEmpty()) {
          continue;
        }
        String[] cols = line.split("\t", -1);
        if (cols.length != expected) {
          throw new DatasetFormatException(
              file.getFileName()
                  + ":"
                  + lineNo
                  + ": expected "
                  + expected
                  + " tab-separated columns, got "
                  + cols.length);
        }
        try {
          consumer.accept(cols);
        } catch (RuntimeException e) {
          throw new DatasetFormatException(
              file.getFileName() + ":" + lineNo + ": " + e.getMessage(), e);
        }
      }
    }
  }

  private static final class IntColumn {
    int[] data = new int[1024];
    int size;

    void add(int v) {
      if (size == data.length) {
        data = java.util.Arrays.copyOf(data, size * 2);
      }
      data[size++] = v;
    }

    int[] toArray() {
      return java.util.Arrays.copyOf(data, size);
    }
  }

  private static final class LongColumn {
    long[] data = new long[1024];
    int size;

    void add(long v) {
      if (size == data.length) {
        data = java.util.Arrays.copyOf(data, size * 2);
      }
      data[size++] = v;
    }

    long[] toArray() {
      return java.util.Arrays.copyOf(data, size);
    }
  }

  private static final class FloatColumn {
    float[] data = new float[1024];
    int size;

    void add(float v) {
      if (size == data.length) {
        data = java.util.Arrays.copyOf(data, size * 2);
      }
      data[size++] = v;
    }

    float[] toArray() {
      return java.util.Arrays.copyOf(data, size);
    }
  }
}
