package dev.funnel.data.movielens;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The ml-100k layout: {@code u.data} (user, item, rating, timestamp; tab-separated), {@code u.item}
 * (id|title|release date|video release date|IMDb URL|19 genre flags; ISO-8859-1) and {@code u.user}
 * (id|age|gender|occupation|zip). The genre names come from {@code u.genre} when present, else the
 * documented 19.
 */
final class Ml100kLayout {
  static final String DATA = "u.data";
  static final String ITEMS = "u.item";
  static final String USERS = "u.user";
  static final String GENRES = "u.genre";
  static final List<String> DEFAULT_GENRES =
      List.of(
          "unknown",
          "Action",
          "Adventure",
          "Animation",
          "Children's",
          "Comedy",
          "Crime",
          "Documentary",
          "Drama",
          "Fantasy",
          "Film-Noir",
          "Horror",
          "Musical",
          "Mystery",
          "Romance",
          "Sci-Fi",
          "Thriller",
          "War",
          "Western");
  private static final DateTimeFormatter RELEASE =
      DateTimeFormatter.ofPattern("dd-MMM-yyyy", Locale.ROOT);

  private Ml100kLayout() {}

  static boolean detect(Path dir) {
    return Files.isRegularFile(dir.resolve(DATA));
  }

  static MovieLensData read(Path dir) throws IOException {
    MovieLensData data = new MovieLensData();
    List<String> genres = genres(dir.resolve(GENRES));

    Path users = dir.resolve(USERS);
    if (Files.isRegularFile(users)) {
      try (CsvReader r = open(users, '|')) {
        for (List<String> f; (f = r.next()) != null; ) {
          need(r, f, 5);
          MovieLensData.Person p = data.users.get(data.user(f.get(0)));
          try {
            p.age = Integer.parseInt(f.get(1).trim());
          } catch (NumberFormatException e) {
            throw r.error("age is not a number: '" + f.get(1) + "'");
          }
          String g = f.get(2).trim().toLowerCase(Locale.ROOT);
          p.gender = g.equals("f") || g.equals("m") ? g : "u";
          p.geo = zipRegion(f.get(4).trim());
        }
      }
    }

    Path items = dir.resolve(ITEMS);
    if (Files.isRegularFile(items)) {
      try (CsvReader r = open(items, '|')) {
        for (List<String> f; (f = r.next()) != null; ) {
          need(r, f, 5 + genres.size());
          MovieLensData.Movie m = data.movies.get(data.movie(f.get(0)));
          m.listed = true;
          m.title = f.get(1).trim();
          List<String> g = new ArrayList<>();
          for (int k = 0; k < genres.size(); k++) {
            // Flag 0 is "unknown": a missing genre, not a genre.
            if (f.get(5 + k).trim().equals("1") && !genres.get(k).equals("unknown")) {
              g.add(genres.get(k));
            }
          }
          m.genres = g;
          m.releaseTs = releaseTs(f.get(2).trim(), m.title);
        }
      }
    }

    try (CsvReader r = open(dir.resolve(DATA), '\t')) {
      for (List<String> f; (f = r.next()) != null; ) {
        need(r, f, 4);
        try {
          data.addRating(
              data.user(f.get(0).trim()),
              data.movie(f.get(1).trim()),
              Float.parseFloat(f.get(2).trim()),
              Long.parseLong(f.get(3).trim()));
        } catch (NumberFormatException e) {
          throw r.error("not a number: " + e.getMessage());
        }
      }
    }
    return data;
  }

  /** US zip codes start with a region digit (0 north-east … 9 west); others are unknown. */
  static String zipRegion(String zip) {
    return !zip.isEmpty() && Character.isDigit(zip.charAt(0)) ? "US-" + zip.charAt(0) : "";
  }

  private static long releaseTs(String date, String title) {
    if (!date.isEmpty()) {
      try {
        return LocalDate.parse(date, RELEASE).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
      } catch (DateTimeParseException e) {
        // fall back to the year in the title
      }
    }
    return LatestCsvLayout.yearTs(title);
  }

  private static List<String> genres(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return DEFAULT_GENRES;
    }
    List<String> names = new ArrayList<>();
    try (CsvReader r = open(file, '|')) {
      for (List<String> f; (f = r.next()) != null; ) {
        if (!f.get(0).isBlank()) {
          names.add(f.get(0).trim());
        }
      }
    }
    return names.isEmpty() ? DEFAULT_GENRES : names;
  }

  private static CsvReader open(Path file, char delimiter) throws IOException {
    return new CsvReader(
        Files.newBufferedReader(file, StandardCharsets.ISO_8859_1),
        file.getFileName().toString(),
        delimiter,
        false);
  }

  private static void need(CsvReader r, List<String> f, int n) {
    if (f.size() < n) {
      throw r.error("expected at least " + n + " fields, got " + f.size());
    }
    if (f.get(0).isBlank()) {
      throw r.error("empty id");
    }
  }
}
