package dev.funnel.testing;

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
 * A small deterministic world for model tests: videos in topics, users loyal to one or two topics.
 * Users see sessions of impressions (half from their topics, half from everywhere); they click
 * their own topics far more often, and each click is also a watch. So next-watch prediction is
 * learnable from history (topic), and clicks correlate with topic affinity.
 *
 * <p>Test code only: the real generator lives in {@code dev.funnel.data}. Run {@link #main} to
 * write a world of any size (the RW-small training measurement uses it).
 */
public final class TinyWorld {
  public static final long START_TS = 1_700_000_000L;
  public static final long DAY = 86_400L;

  private static final String[] LANGUAGES = {"en", "es", "fr", "de"};
  private static final String[] GEOS = {"US", "GB", "DE", "FR", "ES", "BR"};
  private static final String[] GENDERS = {"f", "m", "u"};

  public record Spec(
      int videos, int users, int topics, int watchesPerUser, int days, long seed, String name) {
    public static Spec tiny() {
      return new Spec(1000, 300, 20, 40, 30, 7L, "tiny");
    }

    public static Spec rwSmall() {
      return new Spec(20_000, 5_000, 100, 60, 60, 11L, "rw-small-test");
    }
  }

  private TinyWorld() {}

  /** Topic of video i in every world made by this class. */
  public static String topicOf(int video, int topics) {
    return "t" + (video % topics);
  }

  public static Path write(Path dir, Spec spec) throws IOException {
    SplittableRandom rnd = new SplittableRandom(spec.seed());
    int topics = spec.topics();
    long end = START_TS + spec.days() * DAY;

    List<Video> videos = new ArrayList<>();
    List<List<Integer>> byTopic = new ArrayList<>();
    for (int t = 0; t < topics; t++) {
      byTopic.add(new ArrayList<>());
    }
    for (int i = 0; i < spec.videos(); i++) {
      int topic = i % topics;
      byTopic.get(topic).add(i);
      videos.add(
          new Video(
              "v" + i,
              "t" + topic,
              LANGUAGES[topic % LANGUAGES.length],
              "c" + (i % 97),
              60 + rnd.nextInt(900),
              START_TS - rnd.nextLong(90 * DAY),
              "video " + i + " about t" + topic,
              new String[] {"w" + topic, "x" + (i % 13)}));
    }

    List<User> users = new ArrayList<>();
    List<Object[]> events = new ArrayList<>(); // {ts, kind, payload}
    int seq = 0;
    for (int u = 0; u < spec.users(); u++) {
      int[] loyal =
          rnd.nextInt(3) == 0
              ? new int[] {rnd.nextInt(topics), rnd.nextInt(topics)}
              : new int[] {rnd.nextInt(topics)};
      String userId = "u" + u;
      users.add(
          new User(
              userId,
              GEOS[rnd.nextInt(GEOS.length)],
              LANGUAGES[loyal[0] % LANGUAGES.length],
              GENDERS[rnd.nextInt(GENDERS.length)],
              18 + rnd.nextInt(50)));
      int watches = 0;
      long ts = START_TS + rnd.nextLong(2 * DAY);
      while (watches < spec.watchesPerUser() && ts < end) {
        if (rnd.nextInt(5) == 0) {
          int t = loyal[rnd.nextInt(loyal.length)];
          events.add(
              new Object[] {
                ts - 5, seq++, new Search(userId, ts - 5, new String[] {"w" + t, "how", "to"})
              });
        }
        for (int k = 0; k < 8; k++) {
          boolean own = k < 4;
          int topic = own ? loyal[rnd.nextInt(loyal.length)] : rnd.nextInt(topics);
          List<Integer> pool = byTopic.get(topic);
          int v = pool.get(zipf(rnd, pool.size()));
          boolean clicked = rnd.nextDouble() < (own ? 0.35 : 0.03);
          float seconds = clicked ? 30 + rnd.nextInt(600) : 0f;
          events.add(
              new Object[] {ts, seq++, new Impression(userId, "v" + v, ts, clicked, seconds)});
          if (clicked) {
            events.add(
                new Object[] {ts + 1 + k, seq++, new Watch(userId, "v" + v, ts + 1 + k, seconds)});
            watches++;
          }
        }
        ts += 600 + rnd.nextLong(spec.days() * DAY * 2 / Math.max(1, spec.watchesPerUser()));
      }
    }
    events.sort(
        Comparator.<Object[]>comparingLong(e -> (Long) e[0]).thenComparingInt(e -> (Integer) e[1]));

    try (DatasetWriter w = new DatasetWriter(dir)) {
      videos.forEach(w::video);
      users.forEach(w::user);
      for (Object[] e : events) {
        if (e[2] instanceof Watch x) {
          w.watch(x);
        } else if (e[2] instanceof Search x) {
          w.search(x);
        } else {
          w.impression((Impression) e[2]);
        }
      }
      long last = events.isEmpty() ? end : (Long) events.get(events.size() - 1)[0];
      w.meta(
          new DatasetMeta(
              spec.name(),
              "synthetic",
              START_TS - 5,
              last,
              new JsonObject()
                  .put("generator", "TinyWorld (test)")
                  .put("videos", spec.videos())
                  .put("users", spec.users())
                  .put("topics", topics)
                  .put("seed", spec.seed())));
    }
    return dir;
  }

  /** An index in [0, n) with Zipf-like weights: popular items exist within each topic. */
  private static int zipf(SplittableRandom rnd, int n) {
    double x = Math.pow(n + 1.0, rnd.nextDouble()) - 1.0;
    return Math.min(n - 1, (int) x);
  }

  /** {@code main OUT_DIR [tiny|rw-small]}. */
  public static void main(String[] args) throws IOException {
    Spec spec = args.length > 1 && args[1].equals("rw-small") ? Spec.rwSmall() : Spec.tiny();
    write(Path.of(args[0]), spec);
  }
}
