package dev.funnel.data.generate;

import dev.funnel.data.DatasetMeta;
import dev.funnel.data.DatasetWriter;
import dev.funnel.data.User;
import dev.funnel.data.Video;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Generates a synthetic YouTube-like dataset directory (format and world model: {@code
 * docs/data-format.md}). The world is built in primitive arrays ({@link World}, {@link
 * Population}); the logged period is then played in 6-hour slices, each slice's events sorted and
 * streamed to a {@link DatasetWriter}, so memory stays bounded by the catalogue plus one slice of
 * events. Same options ⇒ byte-identical files.
 */
public final class WorldGenerator {
  private WorldGenerator() {}

  /** What was written. */
  public record Summary(
      int videos, int users, long watches, long searches, long impressions, long clicks) {}

  /** Writes the dataset of {@code options} into {@code outDir} (created; files overwritten). */
  public static Summary generate(GeneratorOptions options, Path outDir) throws IOException {
    World world = new World(options);
    double sessionsPerDay =
        options.watchesPerUser() / options.days() / SessionSimulator.WATCHES_PER_SESSION;
    Population population = new Population(world, sessionsPerDay);
    String[] words = new String[options.vocabulary()];
    for (int i = 0; i < words.length; i++) {
      words[i] = Names.word(i);
    }

    Events.Watches watches = new Events.Watches();
    Events.Impressions impressions = new Events.Impressions();
    Events.Searches searches = new Events.Searches(words);
    try (DatasetWriter out = new DatasetWriter(outDir)) {
      writeVideos(world, words, out);
      writeUsers(population, out);
      VideoSampler sampler = new VideoSampler(world);
      SessionSimulator sim =
          new SessionSimulator(world, population, sampler, watches, impressions, searches);
      int slices = (int) ((world.endTs - world.startTs) / SessionSimulator.SLICE);
      for (int s = 0; s < slices; s++) {
        long sliceStart = world.startTs + s * SessionSimulator.SLICE;
        sampler.advance(sliceStart);
        sim.slice(s, sliceStart);
        long sliceEnd = sliceStart + SessionSimulator.SLICE;
        watches.flushBefore(sliceEnd, out);
        impressions.flushBefore(sliceEnd, out);
        searches.flushBefore(sliceEnd, out);
      }
      // Sessions that started in the last slice may end a little after the period.
      watches.flushBefore(Long.MAX_VALUE, out);
      impressions.flushBefore(Long.MAX_VALUE, out);
      searches.flushBefore(Long.MAX_VALUE, out);
      long endTs = Math.max(world.startTs, Math.max(watches.maxTs(), impressions.maxTs()));
      endTs = Math.max(endTs, searches.maxTs());
      out.meta(
          new DatasetMeta(
              outDir.toAbsolutePath().normalize().getFileName().toString(),
              "synthetic",
              world.startTs,
              endTs,
              options.toJson()));
    }
    return new Summary(
        options.videos(),
        options.users(),
        watches.written(),
        searches.written(),
        impressions.written(),
        impressions.clicks());
  }

  private static void writeVideos(World w, String[] words, DatasetWriter out) {
    Rng rng = new Rng(0);
    int general = w.generalWords();
    String[] tokens = new String[8];
    for (int v = 0; v < w.options.videos(); v++) {
      rng.reseed(w.options.seed(), 3, v);
      int n = 0;
      int topicWords = 3 + rng.nextInt(3);
      for (int k = 0; k < topicWords; k++) {
        n = addDistinct(tokens, n, words[World.topicWord(w.videoTopic[v], zipf(rng))]);
      }
      if (w.videoTopic2[v] >= 0) {
        n = addDistinct(tokens, n, words[World.topicWord(w.videoTopic2[v], zipf(rng))]);
      }
      if (general > 0) {
        double x = rng.nextDouble();
        n = addDistinct(tokens, n, words[w.generalWord((int) (general * x * x * x))]);
      }
      String[] videoTokens = java.util.Arrays.copyOf(tokens, n);
      String title = videoTokens[0] + " " + videoTokens[Math.min(1, n - 1)] + " #" + v;
      out.video(
          new Video(
              Events.videoId(v),
              "t" + w.videoTopic[v],
              Names.LANGUAGES[w.videoLanguage[v]],
              "c" + w.videoChannel[v],
              w.videoDuration[v],
              w.videoUpload[v],
              title,
              videoTokens));
    }
  }

  private static void writeUsers(Population p, DatasetWriter out) {
    for (int u = 0; u < p.users; u++) {
      out.user(
          new User(
              Events.userId(u),
              Names.GEOS[p.geo[u]],
              Names.LANGUAGES[p.language[u]],
              p.genderCode(u),
              p.age[u]));
    }
  }

  private static int zipf(Rng rng) {
    double x = rng.nextDouble();
    return (int) (GeneratorOptions.WORDS_PER_TOPIC * x * x);
  }

  private static int addDistinct(String[] a, int n, String s) {
    for (int i = 0; i < n; i++) {
      if (a[i].equals(s)) {
        return n;
      }
    }
    a[n] = s;
    return n + 1;
  }
}
