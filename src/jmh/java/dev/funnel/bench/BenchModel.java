package dev.funnel.bench;

import dev.funnel.features.UserProfile;
import dev.funnel.models.ModelBundle;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The model the benchmarks run on: {@code -Dfunnel.bench.models=DIR} (a version directory or a
 * models root with LATEST; default {@code models}), loaded once per JVM fork, and realistic
 * profiles (50 watched videos, 10 search tokens) made from its catalogue in setup, never in the
 * measured loop.
 */
final class BenchModel {
  private static ModelBundle bundle;

  private BenchModel() {}

  static synchronized ModelBundle bundle() throws IOException {
    if (bundle == null) {
      bundle = ModelBundle.load(Path.of(System.getProperty("funnel.bench.models", "models")));
    }
    return bundle;
  }

  /** {@code n} full profiles over random popular-ish videos; fixed seed. */
  static List<UserProfile> profiles(ModelBundle b, int n) {
    SplittableRandom r = new SplittableRandom(7);
    int[] popular = b.popular();
    List<UserProfile> out = new ArrayList<>(n);
    long now = b.dataEndTs();
    for (int i = 0; i < n; i++) {
      List<UserProfile.Watched> history = new ArrayList<>();
      for (int h = 0; h < UserProfile.MAX_HISTORY; h++) {
        int v =
            r.nextInt(4) == 0
                ? r.nextInt(b.catalog().size())
                : popular[r.nextInt(Math.min(popular.length, 5000))];
        history.add(new UserProfile.Watched(b.catalog().id(v), now - 3600L * (50 - h)));
      }
      List<String> tokens = new ArrayList<>();
      for (int t = 0; t < UserProfile.MAX_SEARCH_TOKENS; t++) {
        tokens.add("t" + r.nextInt(1000));
      }
      out.add(new UserProfile("u" + i, "g1", "l1", "f", 30, history, tokens, Map.of()));
    }
    return out;
  }
}
