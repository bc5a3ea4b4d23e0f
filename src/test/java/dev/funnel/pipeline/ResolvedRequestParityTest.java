package dev.funnel.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.features.UserProfile;
import dev.funnel.models.FeatureEncoder;
import dev.funnel.models.ModelBundle;
import dev.funnel.models.RankerInputs;
import dev.funnel.models.UserInputs;
import dev.funnel.models.VideoCatalog;
import dev.funnel.testing.TestWorld;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The request resolved once to dense ids feeds the models exactly what the profile path feeds them
 * (the path the trainer's parity is checked against, ProfileParityTest): for stored users of the
 * test world with random request bodies, the merged profile (built here by the documented merge
 * rules, in strings) and the resolved request give bitwise-equal tower and ranker inputs, and the
 * same exclusions.
 */
class ResolvedRequestParityTest {
  private final TestWorld world = TestWorld.get();
  private final ModelBundle bundle = world.bundle;
  private final FeatureEncoder encoder = bundle.encoder();
  private final VideoCatalog catalog = bundle.catalog();

  @Test
  void resolve_randomStoredUsersAndBodies_modelInputsEqualTheMergedProfiles() {
    SplittableRandom rnd = new SplittableRandom(7);
    int withImpressions = 0;
    int withUnknown = 0;
    for (int trial = 0; trial < 300; trial++) {
      Optional<UserProfile> stored =
          rnd.nextInt(5) == 0
              ? Optional.empty()
              : Optional.of(world.profiles.get(rnd.nextInt(world.profiles.size())));
      RecommendQuery q = randomQuery(rnd);
      long now = bundle.dataEndTs() + rnd.nextInt(100_000);

      ResolvedRequest r = ResolvedRequest.resolve(q, stored, false, encoder, now);
      UserProfile merged = merge(q, stored, now);

      UserInputs fromProfile = new UserInputs(1);
      UserInputs resolved = new UserInputs(1);
      encoder.encodeUser(merged, fromProfile, 0);
      encoder.encodeUser(r.user(), resolved, 0);
      assertArrayEquals(fromProfile.historyRow(0), resolved.historyRow(0), "trial " + trial);
      assertArrayEquals(fromProfile.tokenRow(0), resolved.tokenRow(0), "trial " + trial);
      assertArrayEquals(fromProfile.categoricalRow(0), resolved.categoricalRow(0));
      assertArrayEquals(bits(fromProfile.denseRow(0)), bits(resolved.denseRow(0)));

      // Candidates: some the user was shown (the impression feature), the rest at random.
      int k = 24;
      int[] candidates = new int[k];
      float[] scores = new float[k];
      List<String> shown = new ArrayList<>(merged.impressionCounts().keySet());
      for (int i = 0; i < k; i++) {
        int known =
            i < 8 && !shown.isEmpty() ? catalog.index(shown.get(rnd.nextInt(shown.size()))) : -1;
        candidates[i] = known >= 0 ? known : rnd.nextInt(catalog.size());
        scores[i] = (float) rnd.nextDouble(-3, 3);
      }
      RankerInputs a = new RankerInputs(32);
      RankerInputs b = new RankerInputs(32);
      encoder.encodeRanker(merged, candidates, scores, 0, k, now, a);
      encoder.encodeRanker(r.user(), candidates, scores, 0, k, now, b);
      assertArrayEquals(a.videos(32), b.videos(32));
      assertArrayEquals(a.videoLanguages(32), b.videoLanguages(32));
      assertArrayEquals(a.history(1), b.history(1));
      assertArrayEquals(a.userLanguages(1), b.userLanguages(1));
      // ... and each row is the CDF of the raw features the trainer computes (its dense-id path).
      RankerInputs c = new RankerInputs(32);
      for (int i = 0; i < k; i++) {
        float[] raw = encoder.rankerRawFeatures(r.user(), candidates[i], scores[i], now);
        encoder.encodeRankerRow(c, i, candidates[i], raw[0], raw[1], raw[2], raw[3], raw[4]);
      }
      for (int row = 0; row < 32; row++) {
        assertArrayEquals(bits(a.denseRow(row)), bits(b.denseRow(row)), "row " + row);
        if (row < k) {
          assertArrayEquals(bits(c.denseRow(row)), bits(b.denseRow(row)), "row " + row);
        }
      }
      for (int i = 0; i < k; i++) {
        assertArrayEquals(
            bits(encoder.rankerRawFeatures(merged, candidates[i], scores[i], now)),
            bits(encoder.rankerRawFeatures(r.user(), candidates[i], scores[i], now)));
        withImpressions += merged.impressions(catalog.id(candidates[i])) > 0 ? 1 : 0;
      }

      Set<Integer> excluded = expectedExclusions(q, stored);
      assertEquals(excluded.size(), r.excluded().size(), "trial " + trial);
      for (int v : excluded) {
        assertTrue(r.excluded().contains(v));
      }
      assertEquals(stored.isPresent(), r.profileFound());
      withUnknown += q.history().stream().anyMatch(v -> catalog.index(v) < 0) ? 1 : 0;
    }
    assertTrue(withImpressions > 100, "the impression feature was hardly exercised");
    assertTrue(withUnknown > 30, "unknown body videos were hardly exercised");
  }

  /** The merge rules of ResolvedRequest, in strings, as the pipeline applied them before. */
  private UserProfile merge(RecommendQuery q, Optional<UserProfile> stored, long now) {
    UserProfile base = stored.orElse(UserProfile.anonymous(""));
    List<UserProfile.Watched> history = new ArrayList<>(base.history());
    for (String v : q.history()) {
      if (catalog.index(v) >= 0) {
        history.add(new UserProfile.Watched(v, now));
      }
    }
    if (q.playing() != null) {
      history.add(new UserProfile.Watched(q.playing(), now));
    }
    List<String> searches = new ArrayList<>(base.searchTokens());
    RequestContext c = q.context();
    if (c.searches() != null) {
      searches.addAll(c.searches());
    }
    return new UserProfile(
        base.userId(),
        c.geo() != null ? c.geo() : base.geo(),
        c.language() != null ? c.language() : base.language(),
        c.gender() != null ? c.gender() : base.gender(),
        c.age() != null ? c.age() : base.age(),
        history,
        searches,
        base.impressionCounts());
  }

  private Set<Integer> expectedExclusions(RecommendQuery q, Optional<UserProfile> stored) {
    Set<Integer> out = new HashSet<>();
    List<String> all = new ArrayList<>();
    stored.ifPresent(p -> p.history().forEach(w -> all.add(w.video())));
    all.addAll(q.history());
    all.addAll(q.exclude());
    if (q.playing() != null) {
      all.add(q.playing());
    }
    for (String v : all) {
      int d = catalog.index(v);
      if (d >= 0) {
        out.add(d);
      }
    }
    return out;
  }

  private RecommendQuery randomQuery(SplittableRandom rnd) {
    List<String> history = new ArrayList<>();
    for (int i = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(60); i > 0; i--) {
      history.add(rnd.nextInt(6) == 0 ? "no-such-video-" + i : randomVideo(rnd));
    }
    List<String> exclude = new ArrayList<>();
    for (int i = rnd.nextInt(5); i > 0; i--) {
      exclude.add(rnd.nextInt(4) == 0 ? "nope" : randomVideo(rnd));
    }
    UserProfile other = world.profiles.get(rnd.nextInt(world.profiles.size()));
    List<String> searches = null;
    if (rnd.nextBoolean()) {
      searches = new ArrayList<>(other.searchTokens());
      searches.add("zzz-unknown-token");
    }
    String[] genders = {null, "", "f", "m", "u"};
    RequestContext context =
        new RequestContext(
            rnd.nextBoolean() ? other.geo() : null,
            rnd.nextBoolean() ? other.language() : null,
            genders[rnd.nextInt(genders.length)],
            rnd.nextBoolean() ? rnd.nextInt(90) : null,
            searches);
    String playing = rnd.nextInt(3) == 0 ? randomVideo(rnd) : null;
    return new RecommendQuery(null, history, context, 10, exclude, playing);
  }

  private String randomVideo(SplittableRandom rnd) {
    return catalog.id(rnd.nextInt(catalog.size()));
  }

  private static int[] bits(float[] x) {
    int[] out = new int[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = Float.floatToRawIntBits(x[i]);
    }
    return out;
  }
}
