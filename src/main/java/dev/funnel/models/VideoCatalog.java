package dev.funnel.models;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The videos a model version knows, with dense ids 0..size()-1 (the rows of the video vectors) and
 * the metadata serving needs (language and upload time for the ranker, duration to cap its expected
 * watch seconds, topic and title for people). Immutable and thread-safe.
 *
 * <p>On disk: {@code videos.tsv} with the header {@value #HEADER}, one row per dense id in order.
 * Versions written before durations have no {@code duration_s} column: their durations read as 0,
 * unknown.
 */
public final class VideoCatalog {
  static final String HEADER = "video\ttopic\tlanguage\tupload_ts\ttitle\tduration_s";
  private static final String HEADER_WITHOUT_DURATION = "video\ttopic\tlanguage\tupload_ts\ttitle";

  private final String[] ids;
  private final String[] topics;
  private final String[] languages;
  private final long[] uploadTs;
  private final String[] titles;
  private final int[] durations;
  private final Map<String, Integer> index;
  // Dense topic ids: the ranker's "time since last watch of this topic" compares ints, not strings.
  private final int[] topicIds;
  private final int topicCount;

  /** A catalogue whose durations are unknown (0). */
  public VideoCatalog(
      String[] ids, String[] topics, String[] languages, long[] uploadTs, String[] titles) {
    this(ids, topics, languages, uploadTs, titles, new int[ids.length]);
  }

  /**
   * @param durations video lengths in seconds, 0 where unknown
   */
  public VideoCatalog(
      String[] ids,
      String[] topics,
      String[] languages,
      long[] uploadTs,
      String[] titles,
      int[] durations) {
    int n = ids.length;
    if (topics.length != n
        || languages.length != n
        || uploadTs.length != n
        || titles.length != n
        || durations.length != n) {
      throw new IllegalArgumentException("catalog columns differ in length");
    }
    for (int d : durations) {
      if (d < 0) {
        throw new IllegalArgumentException("a video duration is negative: " + d);
      }
    }
    this.durations = durations.clone();
    this.ids = ids.clone();
    this.topics = topics.clone();
    this.languages = languages.clone();
    this.uploadTs = uploadTs.clone();
    this.titles = titles.clone();
    this.index = new HashMap<>(n * 2);
    for (int i = 0; i < n; i++) {
      if (index.put(ids[i], i) != null) {
        throw new IllegalArgumentException("duplicate video id '" + ids[i] + "'");
      }
    }
    Map<String, Integer> topicIndex = new HashMap<>();
    this.topicIds = new int[n];
    for (int i = 0; i < n; i++) {
      Integer t = topicIndex.get(topics[i]);
      if (t == null) {
        t = topicIndex.size();
        topicIndex.put(topics[i], t);
      }
      topicIds[i] = t;
    }
    this.topicCount = topicIndex.size();
  }

  public int size() {
    return ids.length;
  }

  /** Dense id of a video, or -1 when the model does not know it. */
  public int index(String videoId) {
    Integer dense = index.get(videoId);
    return dense == null ? -1 : dense;
  }

  public String id(int dense) {
    return ids[dense];
  }

  public String topic(int dense) {
    return topics[dense];
  }

  /** Dense topic id in 0..topicCount()-1 (order of first appearance in the catalogue). */
  public int topicId(int dense) {
    return topicIds[dense];
  }

  public int topicCount() {
    return topicCount;
  }

  public String language(int dense) {
    return languages[dense];
  }

  public long uploadTs(int dense) {
    return uploadTs[dense];
  }

  public String title(int dense) {
    return titles[dense];
  }

  /** Length of the video in seconds; 0 when unknown. */
  public int durationSeconds(int dense) {
    return durations[dense];
  }

  /**
   * One video's columns. The offline side's records implement it (e.g. {@code data.Video}), so that
   * serving code never depends on the dataset model.
   */
  public interface Row {
    String id();

    String topic();

    String language();

    long uploadTs();

    String title();

    int durationSeconds();
  }

  /** Builds the catalogue from rows in dense-id order (a dataset's videos). */
  public static VideoCatalog of(List<? extends Row> videos) {
    int n = videos.size();
    String[] ids = new String[n], topics = new String[n], langs = new String[n];
    String[] titles = new String[n];
    long[] upload = new long[n];
    int[] durations = new int[n];
    for (int i = 0; i < n; i++) {
      Row v = videos.get(i);
      durations[i] = Math.max(0, v.durationSeconds());
      ids[i] = v.id();
      topics[i] = v.topic();
      langs[i] = v.language();
      upload[i] = v.uploadTs();
      titles[i] = v.title();
    }
    return new VideoCatalog(ids, topics, langs, upload, titles, durations);
  }

  void write(Path file) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write(HEADER);
      w.newLine();
      for (int i = 0; i < ids.length; i++) {
        w.write(
            clean(ids[i])
                + '\t'
                + clean(topics[i])
                + '\t'
                + clean(languages[i])
                + '\t'
                + uploadTs[i]
                + '\t'
                + clean(titles[i])
                + '\t'
                + durations[i]);
        w.newLine();
      }
    }
  }

  static VideoCatalog read(Path file) throws IOException {
    List<String[]> rows = new ArrayList<>();
    int columns = 6;
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String header = r.readLine();
      if (HEADER_WITHOUT_DURATION.equals(header)) {
        columns = 5;
      } else if (!HEADER.equals(header)) {
        throw new IOException(file + ": expected header '" + HEADER + "', got '" + header + "'");
      }
      String line;
      int lineNo = 1;
      while ((line = r.readLine()) != null) {
        lineNo++;
        String[] cols = line.split("\t", -1);
        if (cols.length != columns) {
          throw new IOException(
              file + ":" + lineNo + ": expected " + columns + " columns, got " + cols.length);
        }
        rows.add(cols);
      }
    }
    int n = rows.size();
    String[] ids = new String[n], topics = new String[n], langs = new String[n];
    String[] titles = new String[n];
    long[] upload = new long[n];
    int[] durations = new int[n];
    for (int i = 0; i < n; i++) {
      String[] c = rows.get(i);
      if (columns > 5) {
        try {
          durations[i] = Integer.parseInt(c[5]);
        } catch (NumberFormatException e) {
          throw new IOException(file + ":" + (i + 2) + ": bad duration_s '" + c[5] + "'");
        }
        if (durations[i] < 0) {
          throw new IOException(file + ":" + (i + 2) + ": negative duration_s " + durations[i]);
        }
      }
      ids[i] = c[0];
      topics[i] = c[1];
      langs[i] = c[2];
      try {
        upload[i] = Long.parseLong(c[3]);
      } catch (NumberFormatException e) {
        throw new IOException(file + ":" + (i + 2) + ": bad upload_ts '" + c[3] + "'");
      }
      titles[i] = c[4];
    }
    return new VideoCatalog(ids, topics, langs, upload, titles, durations);
  }

  private static String clean(String s) {
    return s == null ? "" : s.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
  }
}
