package dev.funnel.train;

import dev.funnel.data.Dataset;
import dev.funnel.data.DatasetMeta;
import dev.funnel.data.DatasetWriter;
import dev.funnel.data.Impression;
import dev.funnel.data.Search;
import dev.funnel.data.User;
import dev.funnel.data.Video;
import dev.funnel.data.Watch;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A small random dataset made to stress the profile rules: many events share a second, and every
 * user is shown far more than 200 distinct videos, with repeats, so the impression cap evicts.
 */
final class RandomEventWorld {
  static final long START = 1_700_000_000L;
  static final int VIDEOS = 320;
  static final int TOPICS = 7;

  private RandomEventWorld() {}

  static Dataset write(Path dir, long seed, int users) throws IOException {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Watch> watches = new ArrayList<>();
    List<Search> searches = new ArrayList<>();
    List<Impression> impressions = new ArrayList<>();
    try (DatasetWriter w = new DatasetWriter(dir)) {
      for (int v = 0; v < VIDEOS; v++) {
        // Some videos appear during the log, so video ages and "existed then" matter.
        long upload = START + rnd.nextLong(-50_000, 20_000);
        w.video(
            new Video(
                "v" + v,
                "t" + (v % TOPICS),
                v % 3 == 0 ? "en" : "de",
                "c" + (v % 5),
                100,
                upload,
                "video " + v,
                new String[] {"x"}));
      }
      for (int u = 0; u < users; u++) {
        String id = "u" + u;
        w.user(new User(id, u % 2 == 0 ? "US" : "DE", "en", u % 3 == 0 ? "f" : "m", 20 + u));
        // Coarse times (a few hundred distinct seconds) make same-second events common.
        for (int i = 0; i < 90; i++) {
          watches.add(
              new Watch(id, "v" + rnd.nextInt(VIDEOS), START + 10L * rnd.nextInt(300), 30f));
        }
        for (int i = 0; i < 25; i++) {
          String[] tokens = new String[1 + rnd.nextInt(3)];
          for (int k = 0; k < tokens.length; k++) {
            tokens[k] = "w" + rnd.nextInt(40);
          }
          searches.add(new Search(id, START + 10L * rnd.nextInt(300), tokens));
        }
        for (int i = 0; i < 700; i++) {
          // Repeats of a small set among many distinct videos.
          int v = rnd.nextInt(4) == 0 ? rnd.nextInt(15) : rnd.nextInt(VIDEOS);
          boolean clicked = rnd.nextInt(5) == 0;
          impressions.add(
              new Impression(
                  id, "v" + v, START + 10L * rnd.nextInt(300), clicked, clicked ? 40f : 0f));
        }
      }
      watches.sort(Comparator.comparingLong(Watch::ts));
      searches.sort(Comparator.comparingLong(Search::ts));
      impressions.sort(Comparator.comparingLong(Impression::ts));
      watches.forEach(w::watch);
      searches.forEach(w::search);
      impressions.forEach(w::impression);
      w.meta(new DatasetMeta("random", "test", START, START + 3000, new JsonObject()));
    }
    return Dataset.read(dir);
  }
}
