package dev.funnel.data.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.data.Dataset;
import dev.funnel.data.Video;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorldGeneratorTest {
  private static final List<String> FILES =
      List.of(
          Dataset.META,
          Dataset.VIDEOS,
          Dataset.USERS,
          Dataset.WATCHES,
          Dataset.SEARCHES,
          Dataset.IMPRESSIONS);

  @TempDir static Path tmp;
  static WorldGenerator.Summary summary;
  static Dataset tiny;

  @BeforeAll
  static void generateTiny() throws IOException {
    summary = WorldGenerator.generate(GeneratorOptions.tiny(), tmp.resolve("tiny"));
    tiny = Dataset.read(tmp.resolve("tiny"));
  }

  @Test
  void generate_sameSeed_byteIdenticalFiles() throws IOException {
    Path again = tmp.resolve("tiny-again");
    WorldGenerator.generate(GeneratorOptions.tiny(), again);
    for (String f : FILES) {
      byte[] expected = Files.readAllBytes(tmp.resolve("tiny").resolve(f));
      byte[] actual = Files.readAllBytes(again.resolve(f));
      if (f.equals(Dataset.META)) {
        // meta.json names the directory; everything else must match byte for byte.
        expected = new String(expected).replace("tiny-again", "tiny").getBytes();
        actual = new String(actual).replace("tiny-again", "tiny").getBytes();
      }
      assertArrayEquals(expected, actual, f);
    }
  }

  @Test
  void generate_otherSeed_otherWatches() throws IOException {
    Path other = tmp.resolve("tiny-seed7");
    WorldGenerator.generate(GeneratorOptions.tiny().withSeed(7), other);
    assertFalse(
        Arrays.equals(
            Files.readAllBytes(tmp.resolve("tiny").resolve(Dataset.WATCHES)),
            Files.readAllBytes(other.resolve(Dataset.WATCHES))));
  }

  @Test
  void generate_tiny_readsBackWithSummaryCounts() {
    assertEquals(2_000, tiny.videos().size());
    assertEquals(500, tiny.users().size());
    assertEquals(summary.watches(), tiny.watches().size());
    assertEquals(summary.searches(), tiny.searches().size());
    assertEquals(summary.impressions(), tiny.impressions().size());
    assertEquals("synthetic", tiny.meta().source());
    assertEquals(World.START_TS, tiny.meta().startTs());
    assertEquals(30, tiny.meta().details().getInteger("days"));
    assertEquals("u0", tiny.users().get(0).id());
    assertEquals("v1999", tiny.videos().get(1999).id());
    // About the requested 60 watches per user.
    double perUser = tiny.watches().size() / 500.0;
    assertTrue(perUser > 35 && perUser < 90, "watches per user " + perUser);
    assertTrue(tiny.searches().size() > 0);
  }

  @Test
  void generate_tiny_everyFileInTimeOrderWithinMeta() {
    assertSorted(tiny.watches().ts());
    assertSorted(tiny.searches().ts());
    assertSorted(tiny.impressions().ts());
    long[] w = tiny.watches().ts();
    assertTrue(w[0] >= tiny.meta().startTs());
    assertTrue(w[w.length - 1] <= tiny.meta().endTs());
  }

  @Test
  void generate_tiny_watchesAfterUploadAndClicksAreWatches() {
    Dataset.Watches w = tiny.watches();
    for (int i = 0; i < w.size(); i++) {
      Video v = tiny.videos().get(w.video()[i]);
      assertTrue(v.uploadTs() <= w.ts()[i], "watched before upload: " + v.id());
      assertTrue(w.watchSeconds()[i] > 0 && w.watchSeconds()[i] <= v.durationSeconds() + 0.05);
    }
    Set<Long> watched = new HashSet<>();
    for (int i = 0; i < w.size(); i++) {
      watched.add(((long) w.user()[i] << 32) | w.video()[i]);
    }
    Dataset.Impressions im = tiny.impressions();
    int clicks = 0;
    for (int i = 0; i < im.size(); i++) {
      if (im.clicked()[i]) {
        clicks++;
        assertTrue(watched.contains(((long) im.user()[i] << 32) | im.video()[i]));
        assertTrue(im.watchSeconds()[i] > 0);
      } else {
        assertEquals(0f, im.watchSeconds()[i]);
      }
    }
    double ctr = clicks / (double) im.size();
    assertTrue(ctr > 0.05 && ctr < 0.4, "click-through rate " + ctr);
  }

  @Test
  void generate_tiny_popularityIsHeavyTailed() {
    int[] counts = new int[tiny.videos().size()];
    for (int v : tiny.watches().video()) {
      counts[v]++;
    }
    Arrays.sort(counts);
    long top = 0;
    for (int i = counts.length - counts.length / 10; i < counts.length; i++) {
      top += counts[i];
    }
    long bottom = 0;
    for (int i = 0; i < counts.length / 2; i++) {
      bottom += counts[i];
    }
    double share = top / (double) tiny.watches().size();
    double bottomShare = bottom / (double) tiny.watches().size();
    // Uniform would give 10 % and 50 %; the tiny world (everyone watches a video once at most)
    // flattens the tail, larger worlds are more skewed (docs/data-format.md).
    assertTrue(share > 0.22, "top 10% of videos get " + share + " of watches");
    assertTrue(bottomShare < 0.3, "bottom half of videos get " + bottomShare + " of watches");
  }

  @Test
  void generate_tiny_freshVideosAreWatchedMost() {
    // Watches per video by age (days since upload), over videos uploaded inside the period.
    long start = tiny.meta().startTs();
    long horizon = tiny.meta().endTs() - 15 * 86_400L;
    int[] byAge = new int[15];
    int exposed = 0;
    for (Video v : tiny.videos()) {
      if (v.uploadTs() >= start && v.uploadTs() < horizon) {
        exposed++;
      }
    }
    Dataset.Watches w = tiny.watches();
    for (int i = 0; i < w.size(); i++) {
      Video v = tiny.videos().get(w.video()[i]);
      if (v.uploadTs() >= start && v.uploadTs() < horizon) {
        int day = (int) ((w.ts()[i] - v.uploadTs()) / 86_400L);
        if (day < byAge.length) {
          byAge[day]++;
        }
      }
    }
    assertTrue(exposed > 100);
    double firstTwoDays = byAge[0] + byAge[1];
    double laterTwoDays = byAge[10] + byAge[11];
    assertTrue(
        firstTwoDays > 3 * laterTwoDays,
        "watches on days 0-1 " + firstTwoDays + " vs days 10-11 " + laterTwoDays);
  }

  @Test
  void generate_tiny_usersConcentrateOnFewTopics() {
    Map<Integer, Map<String, Integer>> topicsByUser = new HashMap<>();
    Dataset.Watches w = tiny.watches();
    for (int i = 0; i < w.size(); i++) {
      topicsByUser
          .computeIfAbsent(w.user()[i], u -> new HashMap<>())
          .merge(tiny.videos().get(w.video()[i]).topic(), 1, Integer::sum);
    }
    long inTop3 = 0;
    for (Map<String, Integer> topics : topicsByUser.values()) {
      inTop3 +=
          topics.values().stream()
              .sorted((a, b) -> b - a)
              .limit(3)
              .mapToInt(Integer::intValue)
              .sum();
    }
    double share = inTop3 / (double) w.size();
    // 20 topics: a user without interests would put about a quarter in their top three.
    assertTrue(share > 0.7, "share of watches in each user's top-3 topics " + share);
  }

  @Test
  void generate_tiny_mostWatchesInUsersLanguageForEnglishSpeakers() {
    Dataset.Watches w = tiny.watches();
    int english = 0;
    int match = 0;
    for (int i = 0; i < w.size(); i++) {
      if (tiny.users().get(w.user()[i]).language().equals("en")) {
        english++;
        match += tiny.videos().get(w.video()[i]).language().equals("en") ? 1 : 0;
      }
    }
    assertTrue(match > 0.7 * english, match + " of " + english);
  }

  @Test
  void options_badValues_rejectedWithMessage() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> GeneratorOptions.tiny().withVideos(0));
    assertTrue(e.getMessage().contains("videos"));
    assertThrows(IllegalArgumentException.class, () -> GeneratorOptions.preset("huge"));
    assertEquals(1_000_000, GeneratorOptions.preset("rw-1m").videos());
    assertEquals(20_000, GeneratorOptions.rwSmall().videos());
  }

  private static void assertSorted(long[] ts) {
    for (int i = 1; i < ts.length; i++) {
      if (ts[i] < ts[i - 1]) {
        throw new AssertionError("out of order at row " + i);
      }
    }
  }
}
