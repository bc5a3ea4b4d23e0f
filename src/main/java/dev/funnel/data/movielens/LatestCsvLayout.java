package dev.funnel.data.movielens;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CSV layout of ml-latest, ml-latest-small, ml-20m and ml-25m: {@code movies.csv}
 * (movieId,title,genres), {@code ratings.csv} (userId,movieId,rating,timestamp) and optionally
 * {@code tags.csv} (userId,movieId,tag,timestamp). UTF-8, quoted fields where needed.
 */
final class LatestCsvLayout {
  static final String RATINGS = "ratings.csv";
  static final String MOVIES = "movies.csv";
  static final String TAGS = "tags.csv";
  private static final Pattern YEAR = Pattern.compile("\\((\\d{4})\\)\\s*$");

  private LatestCsvLayout() {}

  static boolean detect(Path dir) {
    return Files.isRegularFile(dir.resolve(RATINGS));
  }

  static MovieLensData read(Path dir) throws IOException {
    MovieLensData data = new MovieLensData();
    Path movies = dir.resolve(MOVIES);
    if (Files.isRegularFile(movies)) {
      try (CsvReader csv = open(movies)) {
        header(csv, "movieId", "title", "genres");
        for (List<String> r; (r = csv.next()) != null; ) {
          fields(csv, r, 3);
          MovieLensData.Movie m = data.movies.get(data.movie(r.get(0)));
          m.listed = true;
          m.title = r.get(1).trim();
          m.genres =
              r.get(2).equals("(no genres listed)")
                  ? List.of()
                  : Arrays.asList(r.get(2).split("\\|"));
          m.releaseTs = yearTs(m.title);
        }
      }
    }
    try (CsvReader csv = open(dir.resolve(RATINGS))) {
      header(csv, "userId", "movieId", "rating", "timestamp");
      for (List<String> r; (r = csv.next()) != null; ) {
        fields(csv, r, 4);
        try {
          data.addRating(
              data.user(id(r.get(0))),
              data.movie(id(r.get(1))),
              Float.parseFloat(r.get(2)),
              Long.parseLong(r.get(3)));
        } catch (IllegalArgumentException e) {
          throw csv.error(e.getMessage());
        }
      }
    }
    Path tags = dir.resolve(TAGS);
    if (Files.isRegularFile(tags)) {
      try (CsvReader csv = open(tags)) {
        header(csv, "userId", "movieId", "tag", "timestamp");
        for (List<String> r; (r = csv.next()) != null; ) {
          fields(csv, r, 4);
          try {
            data.addTag(
                data.user(id(r.get(0))),
                data.movie(id(r.get(1))),
                r.get(2),
                Long.parseLong(r.get(3)));
          } catch (IllegalArgumentException e) {
            throw csv.error(e.getMessage());
          }
        }
      }
    }
    return data;
  }

  /** January 1st (UTC) of the year in a title such as {@code Heat (1995)}, or Long.MIN_VALUE. */
  static long yearTs(String title) {
    Matcher m = YEAR.matcher(title);
    if (!m.find()) {
      return Long.MIN_VALUE;
    }
    return java.time.LocalDate.of(Integer.parseInt(m.group(1)), 1, 1)
        .atStartOfDay(java.time.ZoneOffset.UTC)
        .toEpochSecond();
  }

  private static CsvReader open(Path file) throws IOException {
    return new CsvReader(
        Files.newBufferedReader(file, StandardCharsets.UTF_8),
        file.getFileName().toString(),
        ',',
        true);
  }

  private static void header(CsvReader csv, String... expected) throws IOException {
    List<String> h = csv.next();
    if (h == null || !h.equals(List.of(expected))) {
      throw csv.error("expected header " + String.join(",", expected) + ", got " + h);
    }
  }

  private static void fields(CsvReader csv, List<String> r, int n) {
    if (r.size() != n) {
      throw csv.error("expected " + n + " fields, got " + r.size());
    }
  }

  private static String id(String s) {
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty id");
    }
    return s;
  }
}
