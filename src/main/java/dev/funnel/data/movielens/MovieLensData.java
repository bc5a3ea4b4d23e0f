package dev.funnel.data.movielens;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a MovieLens layout parses into before it is written as a dataset: movies, users with what is
 * known of them, ratings in primitive columns (ml-25m has 25 million), and tag applications. Dense
 * indices follow first appearance; the MovieLens ids are kept as strings.
 */
final class MovieLensData {
  static final class Movie {
    final String id;
    String title = "";
    List<String> genres = List.of();

    /** Release time from the movie file, epoch seconds, or Long.MIN_VALUE when unknown. */
    long releaseTs = Long.MIN_VALUE;

    long firstRatingTs = Long.MAX_VALUE;

    /** Tag words applied to the movie, with how often. */
    Map<String, Integer> tagWords;

    boolean listed;

    Movie(String id) {
      this.id = id;
    }
  }

  static final class Person {
    final String id;
    String geo = "";
    String gender = "u";
    int age;

    Person(String id) {
      this.id = id;
    }
  }

  final List<Movie> movies = new ArrayList<>();
  final Map<String, Integer> movieIndex = new HashMap<>();
  final List<Person> users = new ArrayList<>();
  final Map<String, Integer> userIndex = new HashMap<>();

  int ratings;
  int[] ratingUser = new int[1024];
  int[] ratingMovie = new int[1024];
  float[] rating = new float[1024];
  long[] ratingTs = new long[1024];

  final List<Integer> tagUser = new ArrayList<>();
  final List<Long> tagTs = new ArrayList<>();
  final List<String[]> tagWords = new ArrayList<>();

  /** The movie's dense index; a movie missing from the movie file gets an empty entry. */
  int movie(String id) {
    Integer index = movieIndex.get(id);
    if (index != null) {
      return index;
    }
    movies.add(new Movie(id));
    movieIndex.put(id, movies.size() - 1);
    return movies.size() - 1;
  }

  /** The user's dense index; users first seen in ratings or tags have unknown demographics. */
  int user(String id) {
    Integer index = userIndex.get(id);
    if (index != null) {
      return index;
    }
    users.add(new Person(id));
    userIndex.put(id, users.size() - 1);
    return users.size() - 1;
  }

  void addRating(int user, int movie, float stars, long ts) {
    if (ratings == ratingTs.length) {
      int n = ratings * 2;
      ratingUser = Arrays.copyOf(ratingUser, n);
      ratingMovie = Arrays.copyOf(ratingMovie, n);
      rating = Arrays.copyOf(rating, n);
      ratingTs = Arrays.copyOf(ratingTs, n);
    }
    ratingUser[ratings] = user;
    ratingMovie[ratings] = movie;
    rating[ratings] = stars;
    ratingTs[ratings] = ts;
    ratings++;
    Movie m = movies.get(movie);
    m.firstRatingTs = Math.min(m.firstRatingTs, ts);
  }

  void addTag(int user, int movie, String text, long ts) {
    String[] words = words(text);
    if (words.length == 0) {
      return;
    }
    tagUser.add(user);
    tagTs.add(ts);
    tagWords.add(words);
    Movie m = movies.get(movie);
    if (m.tagWords == null) {
      m.tagWords = new HashMap<>();
    }
    for (String w : words) {
      m.tagWords.merge(w, 1, Integer::sum);
    }
  }

  /** Lower-case words of free text: letters and digits, at least two characters. */
  static String[] words(String text) {
    return Arrays.stream(text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+"))
        .filter(w -> w.length() >= 2)
        .toArray(String[]::new);
  }

  /**
   * A genre as one token: {@code Sci-Fi} → {@code sci-fi}, {@code Children's} → {@code childrens}.
   */
  static String genreToken(String genre) {
    return genre.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}-]", "");
  }
}
