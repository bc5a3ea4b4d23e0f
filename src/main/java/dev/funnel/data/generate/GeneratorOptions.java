package dev.funnel.data.generate;

import io.vertx.core.json.JsonObject;

/**
 * What world {@link WorldGenerator} builds. Sizes follow the reference workloads of DESIGN.md §2.
 *
 * @param videos catalogue size V (ids {@code v0…v{V-1}})
 * @param users user count U (ids {@code u0…u{U-1}})
 * @param days length of the logged period; events fall in [start, start + days)
 * @param seed same seed and options ⇒ byte-identical output
 * @param topics number of topics; each video has one main topic, users are interested in a few
 * @param vocabulary size of the global token vocabulary (topic words + general words), ≤ 50,000
 * @param watchesPerUser target mean number of watches per user over the period
 * @param slateSize videos shown (impressions) at the start of each session
 */
public record GeneratorOptions(
    int videos,
    int users,
    int days,
    long seed,
    int topics,
    int vocabulary,
    double watchesPerUser,
    int slateSize) {

  public static final int MAX_VOCABULARY = 50_000;

  /** Words each topic owns; the rest of the vocabulary is general words shared by all topics. */
  public static final int WORDS_PER_TOPIC = 40;

  public GeneratorOptions {
    // The upload-order sort packs a video id into 24 bits.
    require(videos >= 10 && videos <= 10_000_000, "videos must be in 10..10000000, got " + videos);
    require(users >= 1, "users must be at least 1, got " + users);
    require(days >= 1 && days <= 3650, "days must be in 1..3650, got " + days);
    require(topics >= 1 && topics <= 1000, "topics must be in 1..1000, got " + topics);
    require(
        vocabulary >= topics * WORDS_PER_TOPIC && vocabulary <= MAX_VOCABULARY,
        "vocabulary must be in "
            + topics * WORDS_PER_TOPIC
            + ".."
            + MAX_VOCABULARY
            + " (40 words per topic), got "
            + vocabulary);
    require(
        watchesPerUser > 0 && watchesPerUser <= 10_000,
        "watchesPerUser must be in (0, 10000], got " + watchesPerUser);
    require(slateSize >= 0 && slateSize <= 100, "slateSize must be in 0..100, got " + slateSize);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** RW-small (DESIGN.md §2): tests and the demo. */
  public static GeneratorOptions rwSmall() {
    return new GeneratorOptions(20_000, 5_000, 60, 42, 50, MAX_VOCABULARY, 100, 10);
  }

  /** RW-1M (DESIGN.md §2): benchmarks. */
  public static GeneratorOptions rw1m() {
    return new GeneratorOptions(1_000_000, 100_000, 60, 42, 50, MAX_VOCABULARY, 100, 10);
  }

  /** A world small enough for unit tests: generates in well under a second. */
  public static GeneratorOptions tiny() {
    return new GeneratorOptions(2_000, 500, 30, 42, 20, 5_000, 60, 10);
  }

  /** Preset by its CLI name: {@code rw-small}, {@code rw-1m} or {@code tiny}. */
  public static GeneratorOptions preset(String name) {
    return switch (name) {
      case "rw-small" -> rwSmall();
      case "rw-1m" -> rw1m();
      case "tiny" -> tiny();
      default ->
          throw new IllegalArgumentException(
              "unknown preset '" + name + "' (expected rw-small, rw-1m or tiny)");
    };
  }

  public GeneratorOptions withVideos(int v) {
    return new GeneratorOptions(
        v, users, days, seed, topics, vocabulary, watchesPerUser, slateSize);
  }

  public GeneratorOptions withUsers(int u) {
    return new GeneratorOptions(
        videos, u, days, seed, topics, vocabulary, watchesPerUser, slateSize);
  }

  public GeneratorOptions withDays(int d) {
    return new GeneratorOptions(
        videos, users, d, seed, topics, vocabulary, watchesPerUser, slateSize);
  }

  public GeneratorOptions withSeed(long s) {
    return new GeneratorOptions(
        videos, users, days, s, topics, vocabulary, watchesPerUser, slateSize);
  }

  /** The options as meta.json {@code details}. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("videos", videos)
        .put("users", users)
        .put("days", days)
        .put("seed", seed)
        .put("topics", topics)
        .put("vocabulary", vocabulary)
        .put("watches_per_user", watchesPerUser)
        .put("slate_size", slateSize);
  }
}
