package dev.funnel.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.features.UserProfile;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileSnapshotsTest {
  @TempDir Path dir;

  @Test
  void latest_busyAndIdleUsers_lastEventsAndDemographics() throws IOException {
    try (DatasetWriter w = new DatasetWriter(dir)) {
      for (int v = 0; v < 300; v++) {
        w.video(new Video("v" + v, "t0", "en", "c0", 100, 0, "video " + v, new String[] {"x"}));
      }
      w.user(new User("busy", "US", "en", "f", 30));
      w.user(new User("idle", "JP", "ja", "m", 40));
      w.user(new User("other", "", "", "u", 0));
      // 60 watches by busy, interleaved with other's; only the last 50 of busy's remain.
      for (int i = 0; i < 60; i++) {
        w.watch(new Watch("busy", "v" + i, 1000 + 10L * i, 50f));
        w.watch(new Watch("other", "v299", 1000 + 10L * i, 5f));
      }
      w.search(new Search("busy", 1000, new String[] {"a", "b", "c", "d", "e", "f"}));
      w.search(new Search("busy", 1100, new String[] {"g", "h", "i", "j"}));
      w.search(new Search("busy", 1200, new String[] {"k", "l", "m"}));
      // busy: v0 shown 3 times early, then 200 other distinct videos, then v1 twice.
      w.impression(new Impression("busy", "v0", 2000, false, 0));
      w.impression(new Impression("busy", "v0", 2001, false, 0));
      w.impression(new Impression("busy", "v1", 2002, false, 0));
      w.impression(new Impression("busy", "v0", 2003, false, 0));
      for (int v = 2; v < 202; v++) {
        w.impression(new Impression("busy", "v" + v, 3000 + v, false, 0));
      }
      w.impression(new Impression("busy", "v1", 4000, true, 30));
      w.meta(new DatasetMeta("t", "test", 1000, 4000, new JsonObject()));
    }
    List<UserProfile> profiles = ProfileSnapshots.latest(Dataset.read(dir));

    assertEquals(3, profiles.size());
    UserProfile busy = profiles.get(0);
    assertEquals("busy", busy.userId());
    assertEquals("US", busy.geo());
    assertEquals(30, busy.age());
    assertEquals(50, busy.history().size());
    assertEquals(new UserProfile.Watched("v10", 1100), busy.history().get(0));
    assertEquals(new UserProfile.Watched("v59", 1590), busy.history().get(49));
    assertEquals(List.of("d", "e", "f", "g", "h", "i", "j", "k", "l", "m"), busy.searchTokens());
    // The 200 most recently shown distinct videos, as the event path keeps them: v1 and v201
    // back to v3. v1 had been evicted by v200 before it was shown again, so its count restarted;
    // v2 and v0 were shown earlier and fell out.
    assertEquals(200, busy.impressionCounts().size());
    assertEquals(1, busy.impressions("v1"));
    assertEquals("v1", List.copyOf(busy.impressionCounts().keySet()).get(199));
    assertEquals(1, busy.impressions("v201"));
    assertEquals(1, busy.impressions("v3"));
    assertEquals(0, busy.impressions("v2"));
    assertEquals(0, busy.impressions("v0"));

    UserProfile idle = profiles.get(1);
    assertEquals("idle", idle.userId());
    assertEquals("ja", idle.language());
    assertTrue(idle.history().isEmpty());
    assertTrue(idle.searchTokens().isEmpty());
    assertTrue(idle.impressionCounts().isEmpty());
    assertEquals(0, idle.lastWatchTs());

    assertEquals(50, profiles.get(2).history().size());
    assertEquals("v299", profiles.get(2).history().get(0).video());
  }
}
