package dev.funnel.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.funnel.features.UserProfile;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeatureEncoderTest {
  private static final long NOW = 1_700_000_000L;

  private static FeatureEncoder encoder() {
    VideoCatalog catalog =
        new VideoCatalog(
            new String[] {"a", "b", "c"},
            new String[] {"music", "news", "music"},
            new String[] {"en", "fr", "en"},
            new long[] {NOW - 100, NOW - 200, NOW + 50},
            new String[] {"A", "B", "C"});
    Vocabularies vocabs =
        new Vocabularies(
            new Vocabulary(List.of("cat", "dog")),
            new Vocabulary(List.of("US")),
            new Vocabulary(List.of("en", "fr")),
            new Vocabulary(List.of("f", "m", "u")));
    float[][] raw = new float[FeatureEncoder.RANKER_RAW][];
    for (int f = 0; f < raw.length; f++) {
      raw[f] = new float[] {0, 10, 20, 30, 40};
    }
    return new FeatureEncoder(
        vocabs, catalog, Quantiles.fit(FeatureEncoder.RANKER_RAW_NAMES, raw, 4), 1000f);
  }

  @Test
  void encodeUser_mapsUnknownIdsAndTokensToPadding() {
    UserProfile p =
        new UserProfile(
            "u",
            "ZZ",
            "fr",
            "m",
            50,
            List.of(
                new UserProfile.Watched("b", NOW - 30),
                new UserProfile.Watched("gone", NOW - 20),
                new UserProfile.Watched("a", NOW - 10)),
            List.of("dog", "unheard-of"),
            Map.of());
    UserInputs in = new UserInputs(2);
    encoder().encodeUser(p, in, 1);
    long[] history = in.historyRow(1);
    assertArrayEquals(new long[] {2, 0, 1}, java.util.Arrays.copyOf(history, 3));
    for (int i = 3; i < history.length; i++) {
      assertEquals(0, history[i]);
    }
    assertArrayEquals(new long[] {2, 0, 0, 0, 0, 0, 0, 0, 0, 0}, in.tokenRow(1));
    assertArrayEquals(new long[] {Vocabulary.OOV, 2, 2}, in.categoricalRow(1));
    float[] dense = in.denseRow(1);
    assertEquals(0.5f, dense[0], 1e-6);
    assertEquals(0.25f, dense[1], 1e-6);
    assertEquals((float) Math.sqrt(0.5), dense[2], 1e-6);
    assertEquals(0f, dense[3]); // example age is 0 at serving
    assertEquals(3f / 50, dense[6], 1e-6);
  }

  @Test
  void encodeUser_profileAndDenseIdsAgree() {
    FeatureEncoder e = encoder();
    UserProfile p =
        new UserProfile(
            "u",
            "US",
            "en",
            "f",
            20,
            List.of(new UserProfile.Watched("c", NOW - 5), new UserProfile.Watched("a", NOW - 1)),
            List.of("cat"),
            Map.of());
    UserInputs fromProfile = new UserInputs(1);
    UserInputs fromIds = new UserInputs(1);
    e.encodeUser(p, fromProfile, 0);
    e.encodeUser(new int[] {2, 0}, 0, 2, new int[] {1}, 0, 1, 1, 1, 1, 20, 0f, fromIds, 0);
    assertArrayEquals(fromProfile.historyRow(0), fromIds.historyRow(0));
    assertArrayEquals(fromProfile.tokenRow(0), fromIds.tokenRow(0));
    assertArrayEquals(fromProfile.categoricalRow(0), fromIds.categoricalRow(0));
    assertArrayEquals(fromProfile.denseRow(0), fromIds.denseRow(0));
  }

  @Test
  void maskedMean_ignoresPaddingRows() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray table = m.create(new float[] {99, 99, 1, 2, 3, 4, 10, 20}, new Shape(4, 2));
      NDArray idx = m.create(new long[] {1, 0, 2, 0, 0, 0}, new Shape(2, 3));
      float[] mean = Layers.maskedMean(idx, table).toFloatArray();
      // Row 0 averages rows 1 and 2 only; row 1 is all padding and averages to zeros.
      assertArrayEquals(new float[] {2, 3, 0, 0}, mean, 1e-6f);
    }
  }

  @Test
  void encodeRanker_padsRowsAndComputesRawFeatures() {
    FeatureEncoder e = encoder();
    UserProfile p =
        new UserProfile(
            "u",
            "US",
            "en",
            "f",
            20,
            List.of(new UserProfile.Watched("a", NOW - 30), new UserProfile.Watched("b", NOW - 10)),
            List.of(),
            Map.of("c", 3));
    RankerInputs in = new RankerInputs(4);
    e.encodeRanker(p, new int[] {2, 1}, new float[] {5f, 40f}, 0, 2, NOW, in);
    assertArrayEquals(new long[] {3, 2, 0, 0}, in.video);
    assertArrayEquals(new long[] {1, 2, 0, 0}, in.videoLanguage);
    // Candidate "c" (music): 10 s since last watch, 30 s since music ("a"), shown 3 times, age
    // clamps to 0 (uploaded after now), retrieval 5 → CDFs on the 0,10,20,30,40 edges.
    float[] row = in.denseRow(0);
    assertEquals(0.25f, row[0], 1e-6);
    assertEquals(0.75f, row[3], 1e-6);
    assertEquals(0.075f, row[6], 1e-6);
    assertEquals(0f, row[9], 1e-6);
    assertEquals(0.125f, row[12], 1e-6);
    assertEquals(1f, in.denseRow(1)[12], 1e-6);
    assertArrayEquals(new float[FeatureEncoder.RANKER_DENSE], in.denseRow(3));
  }

  @Test
  void rankerRawFeatures_matchWhatEncodeRankerFeedsTheModel() {
    FeatureEncoder e = encoder();
    UserProfile p =
        new UserProfile(
            "u",
            "US",
            "en",
            "f",
            20,
            List.of(new UserProfile.Watched("a", NOW - 30), new UserProfile.Watched("b", NOW - 10)),
            List.of(),
            Map.of("c", 3));
    int[] candidates = {2, 1, 0};
    float[] scores = {5f, 40f, 12f};
    RankerInputs in = new RankerInputs(3);
    e.encodeRanker(p, candidates, scores, 0, 3, NOW, in);
    for (int r = 0; r < candidates.length; r++) {
      float[] raw = e.rankerRawFeatures(p, candidates[r], scores[r], NOW);
      float[] row = in.denseRow(r);
      for (int f = 0; f < FeatureEncoder.RANKER_RAW; f++) {
        assertEquals(e.quantiles().cdf(f, raw[f]), row[3 * f], 1e-6, "row " + r + " feature " + f);
      }
    }
    assertArrayEquals(
        new float[] {10f, 30f, 3f, 0f, 5f}, e.rankerRawFeatures(p, 2, 5f, NOW), 1e-6f);
  }

  @Test
  void cdf_isMonotoneAndBounded() {
    Quantiles q = Quantiles.fit(List.of("x"), new float[][] {{0, 0, 0, 0, 1, 2, 3, 100}}, 10);
    float previous = -1;
    for (float x = -5; x < 200; x += 0.5f) {
      float c = q.cdf(0, x);
      assertTrue(c >= previous && c >= 0 && c <= 1, x + " → " + c);
      previous = c;
    }
    assertEquals(0f, q.cdf(0, -1));
    assertEquals(1f, q.cdf(0, 1000));
  }

  @Test
  void cdf_tiedValuesGetTheMiddleOfTheirRanks_untiedOnesInterpolate() {
    // edges: 0 ×6, 1 ×2, 2, 3, 100
    Quantiles q = Quantiles.fit(List.of("x"), new float[][] {{0, 0, 0, 0, 1, 2, 3, 100}}, 10);
    assertEquals((0 + 6 - 1) / 2f / 10, q.cdf(0, 0f), 1e-6);
    assertEquals((6 + 8 - 1) / 2f / 10, q.cdf(0, 1f), 1e-6);
    assertEquals((5 + 0.5f) / 10, q.cdf(0, 0.5f), 1e-6);
    assertEquals((9 + 0.5f) / 10, q.cdf(0, 51.5f), 1e-6);
  }
}
