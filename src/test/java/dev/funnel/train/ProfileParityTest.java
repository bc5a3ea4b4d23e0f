package dev.funnel.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.data.Dataset;
import dev.funnel.data.ProfileSnapshots;
import dev.funnel.data.User;
import dev.funnel.events.UserEvent;
import dev.funnel.features.EventApplier;
import dev.funnel.features.UserProfile;
import dev.funnel.features.UserProfileCodec;
import dev.funnel.models.FeatureEncoder;
import dev.funnel.models.UserInputs;
import dev.funnel.models.VideoCatalog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The profile a model trains on is the profile it is served: the trainer's "user u just before t"
 * equals what the nearline event path builds from the same events, and the trainer's raw ranker
 * features and tower inputs equal the serving encoder's for that profile.
 */
class ProfileParityTest {
  @TempDir static Path dir;
  static Dataset data;
  static Timeline timeline;

  @BeforeAll
  static void world() throws IOException {
    data = RandomEventWorld.write(dir.resolve("w"), 5L, 4);
    timeline = new Timeline(data);
  }

  @Test
  void eventPath_randomEventsReplayedInBatches_equalsTrainersProfileAtThatTime() {
    SplittableRandom rnd = new SplittableRandom(11);
    int checked = 0;
    int evicting = 0;
    for (int trial = 0; trial < 120; trial++) {
      int u = rnd.nextInt(data.users().size());
      long ts = randomTime(u, rnd);
      List<UserEvent> events = eventsBefore(u, ts, rnd);
      UserProfile online = replay(u, events, rnd);
      UserProfile offline = timeline.profileAt(u, ts);

      assertEquals(offline.history(), online.history(), "history at " + ts);
      assertEquals(offline.searchTokens(), online.searchTokens(), "tokens at " + ts);
      assertEquals(ordered(offline), ordered(online), "impressions (in recency order) at " + ts);
      assertEquals(offline, online);
      checked++;
      evicting += distinctShown(events) > UserProfile.MAX_IMPRESSIONS ? 1 : 0;
    }
    assertEquals(120, checked);
    assertTrue(evicting > 20, "only " + evicting + " trials evicted impressions");
  }

  @Test
  void latestSnapshot_isTheProfileAfterAllEvents() {
    List<UserProfile> latest = ProfileSnapshots.latest(data);
    for (int u = 0; u < data.users().size(); u++) {
      UserProfile p = timeline.profileAt(u, Long.MAX_VALUE);
      assertEquals(p, latest.get(u));
      assertEquals(ordered(p), ordered(latest.get(u)));
      assertEquals(UserProfile.MAX_IMPRESSIONS, p.impressionCounts().size());
    }
  }

  @Test
  void rankerRawFeatures_trainerEqualsServingEncoder_forRandomUserTimeVideo() {
    FeatureEncoder encoder = encoder();
    SplittableRandom rnd = new SplittableRandom(12);
    float[] trainer = new float[FeatureEncoder.RANKER_RAW];
    for (int trial = 0; trial < 500; trial++) {
      int u = rnd.nextInt(data.users().size());
      long ts = randomTime(u, rnd);
      int v = rnd.nextInt(data.videos().size());
      float score = (float) rnd.nextDouble(-5, 5);
      UserProfile profile = timeline.profileAt(u, ts);
      float previous = profile.impressions(data.videos().get(v).id());
      RankerTrainer.rawFeatures(
          timeline, encoder, u, timeline.watchesBefore(u, ts), ts, v, previous, score, trainer);
      float[] serving = encoder.rankerRawFeatures(profile, v, score, ts);
      assertArrayEquals(serving, trainer, "user " + u + " at " + ts + ", video " + v);
    }
  }

  @Test
  void previousImpressions_trainerCountsEqualTheServedProfilesCappedCounts() {
    float[] previous = RankerTrainer.previousImpressions(timeline);
    Dataset.Impressions im = data.impressions();
    SplittableRandom rnd = new SplittableRandom(13);
    int differsFromUncapped = 0;
    for (int trial = 0; trial < 400; trial++) {
      int i = rnd.nextInt(im.size());
      UserProfile p = timeline.profileAt(im.user()[i], im.ts()[i]);
      assertEquals(p.impressions(data.videos().get(im.video()[i]).id()), previous[i], 0f);
      int uncapped = 0;
      for (int k = 0; k < i; k++) {
        if (im.user()[k] == im.user()[i]
            && im.video()[k] == im.video()[i]
            && im.ts()[k] < im.ts()[i]) {
          uncapped++;
        }
      }
      differsFromUncapped += uncapped != previous[i] ? 1 : 0;
    }
    assertTrue(differsFromUncapped > 0, "the cap never mattered: the test proves nothing");
  }

  @Test
  void towerInputs_trainerEqualsServingEncoder_forRandomUserTime() {
    FeatureEncoder encoder = encoder();
    EncodedUsers users = new EncodedUsers(timeline, encoder.vocabularies());
    SplittableRandom rnd = new SplittableRandom(14);
    for (int trial = 0; trial < 200; trial++) {
      int u = rnd.nextInt(data.users().size());
      long ts = randomTime(u, rnd);
      UserInputs trainer = new UserInputs(1);
      UserInputs serving = new UserInputs(1);
      users.encode(encoder, u, timeline.watchesBefore(u, ts), ts, 0f, trainer, 0);
      encoder.encodeUser(timeline.profileAt(u, ts), serving, 0);
      assertArrayEquals(serving.historyRow(0), trainer.historyRow(0));
      assertArrayEquals(serving.tokenRow(0), trainer.tokenRow(0));
      assertArrayEquals(serving.categoricalRow(0), trainer.categoricalRow(0));
      assertArrayEquals(serving.denseRow(0), trainer.denseRow(0));
    }
  }

  private static FeatureEncoder encoder() {
    return new FeatureEncoder(
        ModelTrainer.vocabularies(data, Long.MAX_VALUE, 1000),
        VideoCatalog.of(data.videos()),
        null,
        3000f);
  }

  /** An event time of the user (same-second boundaries), a second later, or the end. */
  private static long randomTime(int u, SplittableRandom rnd) {
    long[] ts = timeline.watchTs[u];
    return switch (rnd.nextInt(4)) {
      case 0 -> ts[rnd.nextInt(ts.length)];
      case 1 -> ts[rnd.nextInt(ts.length)] + 1;
      case 2 -> data.impressions().ts()[timeline.impressions[u][rnd.nextInt(300)]];
      default -> Long.MAX_VALUE;
    };
  }

  /**
   * u's events strictly before ts, as the frontend would report them: time order within each kind
   * (the dataset's order), kinds interleaved at random where they share a second.
   */
  private static List<UserEvent> eventsBefore(int u, long ts, SplittableRandom rnd) {
    String user = data.users().get(u).id();
    List<UserEvent> watches = new ArrayList<>();
    List<UserEvent> searches = new ArrayList<>();
    List<UserEvent> shown = new ArrayList<>();
    Dataset.Watches w = data.watches();
    for (int i = 0; i < w.size(); i++) {
      if (w.user()[i] == u && w.ts()[i] < ts) {
        watches.add(UserEvent.watch("w" + i, user, id(w.video()[i]), 30, w.ts()[i]));
      }
    }
    Dataset.Searches s = data.searches();
    for (int i = 0; i < s.size(); i++) {
      if (s.user()[i] == u && s.ts()[i] < ts) {
        searches.add(UserEvent.search("s" + i, user, String.join(" ", s.tokens()[i]), s.ts()[i]));
      }
    }
    Dataset.Impressions im = data.impressions();
    for (int i = 0; i < im.size(); i++) {
      if (im.user()[i] == u && im.ts()[i] < ts) {
        shown.add(UserEvent.impression("i" + i, user, id(im.video()[i]), im.ts()[i]));
      }
    }
    List<UserEvent> out = new ArrayList<>();
    int[] next = new int[3];
    List<List<UserEvent>> kinds = List.of(watches, searches, shown);
    while (out.size() < watches.size() + searches.size() + shown.size()) {
      long min = Long.MAX_VALUE;
      for (int k = 0; k < 3; k++) {
        if (next[k] < kinds.get(k).size()) {
          min = Math.min(min, kinds.get(k).get(next[k]).ts());
        }
      }
      int k;
      do {
        k = rnd.nextInt(3);
      } while (next[k] >= kinds.get(k).size() || kinds.get(k).get(next[k]).ts() != min);
      out.add(kinds.get(k).get(next[k]++));
    }
    return out;
  }

  /** The event path: batches of random size, each stored (codec) and read back in between. */
  private static UserProfile replay(int u, List<UserEvent> events, SplittableRandom rnd) {
    User user = data.users().get(u);
    UserProfile p =
        new UserProfile(
            user.id(),
            user.geo(),
            user.language(),
            user.gender(),
            user.age(),
            List.of(),
            List.of(),
            Map.of());
    int from = 0;
    while (from < events.size()) {
      int to = Math.min(events.size(), from + 1 + rnd.nextInt(120));
      p = EventApplier.apply(user.id(), p, events.subList(from, to));
      p = UserProfileCodec.decode(user.id(), UserProfileCodec.encode(p));
      from = to;
    }
    return p;
  }

  private static int distinctShown(List<UserEvent> events) {
    return (int)
        events.stream()
            .filter(e -> e.type() == UserEvent.Type.IMPRESSION)
            .map(UserEvent::video)
            .distinct()
            .count();
  }

  private static List<Map.Entry<String, Integer>> ordered(UserProfile p) {
    return new ArrayList<>(p.impressionCounts().entrySet());
  }

  private static String id(int video) {
    return data.videos().get(video).id();
  }
}
