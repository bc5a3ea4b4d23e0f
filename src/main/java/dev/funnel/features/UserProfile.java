package dev.funnel.features;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the online feature store knows about one user: the input of both models. The same record is
 * built offline from a dataset (trainer, evaluator, loader) and online from Redis or a request
 * body, so that training and serving see one schema.
 *
 * @param geo country/region code, {@code ""} when unknown
 * @param language language code, {@code ""} when unknown
 * @param gender {@code f}, {@code m} or {@code u}
 * @param age years, 0 when unknown
 * @param history watched videos, oldest first, at most {@link #MAX_HISTORY}
 * @param searchTokens recent search tokens, oldest first, at most {@link #MAX_SEARCH_TOKENS}
 * @param impressionCounts how often each video was shown to the user, least recently shown first,
 *     at most {@link #MAX_IMPRESSIONS} entries (the most recently shown ones); the order is kept
 *     (and stored) because it decides which video is evicted next ({@link RecentCounts})
 */
public record UserProfile(
    String userId,
    String geo,
    String language,
    String gender,
    int age,
    List<Watched> history,
    List<String> searchTokens,
    Map<String, Integer> impressionCounts) {

  public static final int MAX_HISTORY = 50;
  public static final int MAX_SEARCH_TOKENS = 10;
  public static final int MAX_IMPRESSIONS = 200;

  /** One watched video and when (epoch seconds). */
  public record Watched(String video, long ts) {
    public Watched {
      Objects.requireNonNull(video, "video");
    }
  }

  public UserProfile {
    Objects.requireNonNull(userId, "userId");
    geo = geo == null ? "" : geo;
    language = language == null ? "" : language;
    gender = normalGender(gender);
    history = tail(history, MAX_HISTORY);
    searchTokens = tail(searchTokens, MAX_SEARCH_TOKENS);
    impressionCounts = recent(impressionCounts, MAX_IMPRESSIONS);
  }

  /** A gender as profiles store it: none given is "u". */
  public static String normalGender(String gender) {
    return gender == null || gender.isEmpty() ? "u" : gender;
  }

  /** A user we know nothing about except, perhaps, the id. */
  public static UserProfile anonymous(String userId) {
    return new UserProfile(userId, "", "", "u", 0, List.of(), List.of(), Map.of());
  }

  /** Time of the latest watch, or 0 when the history is empty. */
  public long lastWatchTs() {
    return history.isEmpty() ? 0 : history.get(history.size() - 1).ts();
  }

  public int impressions(String video) {
    return impressionCounts.getOrDefault(video, 0);
  }

  /** The last {@code max} entries in the map's order, in that order (a read-only copy). */
  private static Map<String, Integer> recent(Map<String, Integer> counts, int max) {
    if (counts == null || counts.isEmpty()) {
      return Map.of();
    }
    LinkedHashMap<String, Integer> copy = new LinkedHashMap<>();
    int skip = counts.size() - max;
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      if (skip-- <= 0) {
        copy.put(Objects.requireNonNull(e.getKey()), Objects.requireNonNull(e.getValue()));
      }
    }
    return Collections.unmodifiableMap(copy);
  }

  private static <T> List<T> tail(List<T> list, int max) {
    if (list == null) {
      return List.of();
    }
    return List.copyOf(list.size() <= max ? list : list.subList(list.size() - max, list.size()));
  }
}
