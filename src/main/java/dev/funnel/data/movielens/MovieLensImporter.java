package dev.funnel.data.movielens;

import dev.funnel.data.DatasetMeta;
import dev.funnel.data.DatasetWriter;
import dev.funnel.data.Search;
import dev.funnel.data.User;
import dev.funnel.data.Video;
import dev.funnel.data.Watch;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a MovieLens directory into a dataset directory (mapping: {@code docs/data-format.md}). A
 * rating is a watch of {@code rating / 5 × 6000} seconds of a nominal 100-minute movie; the first
 * genre is the topic; genres and the most used tag words are the tokens; a tag applied by a user
 * becomes a search of its words. MovieLens logs no impressions, so none are written: the ranker
 * trains from watches with sampled unwatched negatives.
 */
public final class MovieLensImporter {
  /** Length every movie is given, in seconds: MovieLens has no durations. */
  public static final int NOMINAL_DURATION_S = 6000;

  /** Tag words kept as video tokens, most used first. */
  static final int TAG_TOKENS = 10;

  private MovieLensImporter() {}

  /** What was imported. */
  public record Summary(String layout, int videos, int users, int watches, int searches) {}

  /**
   * Reads {@code in} (ml-latest/-small/-20m/-25m CSV layout, or ml-100k) and writes a dataset into
   * {@code out}.
   *
   * @throws IllegalArgumentException when {@code in} holds neither layout
   * @throws dev.funnel.data.DatasetFormatException on a malformed row, naming file:line
   */
  public static Summary importDir(Path in, Path out) throws IOException {
    if (!Files.isDirectory(in)) {
      throw new IllegalArgumentException("not a directory: " + in);
    }
    String layout;
    MovieLensData data;
    if (LatestCsvLayout.detect(in)) {
      layout = "csv";
      data = LatestCsvLayout.read(in);
    } else if (Ml100kLayout.detect(in)) {
      layout = "ml-100k";
      data = Ml100kLayout.read(in);
    } else {
      throw new IllegalArgumentException(
          in
              + " is not a MovieLens directory: expected ratings.csv (ml-latest-small, ml-25m) or"
              + " u.data (ml-100k)");
    }
    if (data.ratings == 0) {
      throw new IllegalArgumentException(in + ": no ratings");
    }
    return write(data, layout, in, out);
  }

  private static Summary write(MovieLensData data, String layout, Path in, Path out)
      throws IOException {
    int[] order = timeOrder(data.ratingTs, data.ratings);
    long startTs = data.ratingTs[order[0]];
    long endTs = data.ratingTs[order[order.length - 1]];
    Integer[] tagOrder = new Integer[data.tagTs.size()];
    for (int i = 0; i < tagOrder.length; i++) {
      tagOrder[i] = i;
    }
    Arrays.sort(tagOrder, Comparator.comparingLong(data.tagTs::get)); // stable
    for (long ts : data.tagTs) {
      startTs = Math.min(startTs, ts);
      endTs = Math.max(endTs, ts);
    }

    try (DatasetWriter w = new DatasetWriter(out)) {
      for (MovieLensData.Movie m : data.movies) {
        w.video(video(m, startTs));
      }
      for (MovieLensData.Person p : data.users) {
        w.user(new User(p.id, p.geo, "en", p.gender, p.age));
      }
      for (int i : order) {
        w.watch(
            new Watch(
                data.users.get(data.ratingUser[i]).id,
                data.movies.get(data.ratingMovie[i]).id,
                data.ratingTs[i],
                watchSeconds(data.rating[i])));
      }
      for (int i : tagOrder) {
        w.search(
            new Search(
                data.users.get(data.tagUser.get(i)).id, data.tagTs.get(i), data.tagWords.get(i)));
      }
      long unlisted = data.movies.stream().filter(m -> !m.listed).count();
      w.meta(
          new DatasetMeta(
              out.toAbsolutePath().normalize().getFileName().toString(),
              "movielens",
              startTs,
              endTs,
              new JsonObject()
                  .put("layout", layout)
                  .put("input", in.toAbsolutePath().normalize().toString())
                  .put("ratings", data.ratings)
                  .put("tags", data.tagTs.size())
                  .put("movies_without_metadata", unlisted)
                  .put("nominal_duration_s", NOMINAL_DURATION_S)
                  .put("watch_s", "rating / 5 * nominal_duration_s")
                  .put("impressions", "none (MovieLens logs none)")));
    }
    return new Summary(
        layout, data.movies.size(), data.users.size(), data.ratings, data.tagTs.size());
  }

  /** Seconds watched for a rating of 0.5–5 stars. */
  public static float watchSeconds(float rating) {
    return rating / 5f * NOMINAL_DURATION_S;
  }

  private static Video video(MovieLensData.Movie m, long datasetStart) {
    Set<String> tokens = new LinkedHashSet<>();
    for (String g : m.genres) {
      String t = MovieLensData.genreToken(g);
      if (!t.isEmpty()) {
        tokens.add(t);
      }
    }
    if (m.tagWords != null) {
      m.tagWords.entrySet().stream()
          .sorted(
              Map.Entry.<String, Integer>comparingByValue()
                  .reversed()
                  .thenComparing(Map.Entry.comparingByKey()))
          .limit(TAG_TOKENS)
          .forEach(e -> tokens.add(e.getKey()));
    }
    String topic = m.genres.isEmpty() ? "unknown" : MovieLensData.genreToken(m.genres.get(0));
    // Release date (or year) as upload time, never after the first rating.
    long upload = m.releaseTs;
    long firstSeen = m.firstRatingTs == Long.MAX_VALUE ? datasetStart : m.firstRatingTs;
    if (upload == Long.MIN_VALUE || upload > firstSeen) {
      upload = firstSeen;
    }
    return new Video(
        m.id, topic, "en", "", NOMINAL_DURATION_S, upload, m.title, tokens.toArray(new String[0]));
  }

  /** Indices 0..n-1 sorted by ts, ties in input order; a primitive sort of packed keys. */
  private static int[] timeOrder(long[] ts, int n) {
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      min = Math.min(min, ts[i]);
      max = Math.max(max, ts[i]);
    }
    int[] order = new int[n];
    if (max - min < (1L << 31)) {
      long[] keys = new long[n];
      for (int i = 0; i < n; i++) {
        keys[i] = ((ts[i] - min) << 32) | i;
      }
      Arrays.sort(keys);
      for (int i = 0; i < n; i++) {
        order[i] = (int) keys[i];
      }
    } else {
      List<Integer> boxed = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        boxed.add(i);
      }
      boxed.sort(Comparator.comparingLong(i -> ts[i]));
      for (int i = 0; i < n; i++) {
        order[i] = boxed.get(i);
      }
    }
    return order;
  }
}
