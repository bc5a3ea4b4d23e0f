package dev.funnel.features;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProfileBuilderTest {
  @Test
  void impression_beyondCapacity_evictsLeastRecentlyShownAndForgetsItsCount() {
    ProfileBuilder b = new ProfileBuilder("u", "", "", "u", 0);
    b.impression("old").impression("old").impression("kept").impression("old"); // old is recent
    for (int v = 0; v < UserProfile.MAX_IMPRESSIONS - 2; v++) {
      b.impression("v" + v);
    }
    UserProfile full = b.build();
    assertEquals(UserProfile.MAX_IMPRESSIONS, full.impressionCounts().size());
    assertEquals(3, full.impressions("old"));

    b.impression("new"); // evicts "kept", the least recently shown
    UserProfile p = b.build();
    assertEquals(0, p.impressions("kept"));
    assertEquals(3, p.impressions("old"));
    b.impression("x").impression("kept"); // evicts "old", then "v0"; kept starts over
    p = b.build();
    assertEquals(0, p.impressions("old"));
    assertEquals(1, p.impressions("kept"));
    List<String> order = new ArrayList<>(p.impressionCounts().keySet());
    assertEquals(List.of("new", "x", "kept"), order.subList(order.size() - 3, order.size()));
  }

  @Test
  void watch_sameSecondAndLate_keepsTimeOrderAndTheLatestFifty() {
    ProfileBuilder b = new ProfileBuilder("u", "", "", "u", 0);
    for (int i = 0; i < 60; i++) {
      b.watch("v" + i, 1000 + i / 2); // pairs share a second
    }
    b.watch("late", 1005); // reported late: joins at its time, after the same second's watches
    b.watch("ancient", 1); // older than all kept: evicted at once
    List<UserProfile.Watched> h = b.build().history();
    assertEquals(UserProfile.MAX_HISTORY, h.size());
    for (int i = 1; i < h.size(); i++) {
      assertEquals(true, h.get(i - 1).ts() <= h.get(i).ts(), h.toString());
    }
    assertEquals(new UserProfile.Watched("v59", 1029), h.get(h.size() - 1));
    assertEquals(0, h.stream().filter(w -> w.video().equals("ancient")).count());
  }

  @Test
  void codec_roundTrip_keepsImpressionRecencyOrder() {
    ProfileBuilder b = new ProfileBuilder("u", "US", "en", "f", 30);
    for (String v : List.of("c", "a", "b", "a", "d")) {
      b.impression(v);
    }
    UserProfile p = b.build();
    assertEquals(List.of("c", "b", "a", "d"), new ArrayList<>(p.impressionCounts().keySet()));
    UserProfile back = UserProfileCodec.decode("u", UserProfileCodec.encode(p));
    assertEquals(
        new ArrayList<>(p.impressionCounts().entrySet()),
        new ArrayList<>(back.impressionCounts().entrySet()));
    assertEquals(Map.of("a", 2, "b", 1, "c", 1, "d", 1), back.impressionCounts());
  }

  @Test
  void from_existingProfile_continuesItsEvictionOrder() {
    ProfileBuilder b = new ProfileBuilder("u", "", "", "u", 0);
    for (int v = 0; v < UserProfile.MAX_IMPRESSIONS; v++) {
      b.impression("v" + v);
    }
    UserProfile stored = UserProfileCodec.decode("u", UserProfileCodec.encode(b.build()));
    UserProfile p = ProfileBuilder.from(stored).impression("v0").impression("new").build();
    assertEquals(2, p.impressions("v0")); // refreshed, so not the one evicted
    assertEquals(0, p.impressions("v1")); // the least recently shown one
  }
}
