package dev.funnel.quality;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.data.Dataset;
import dev.funnel.testing.TinyWorld;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaselinesTest {
  @TempDir static Path tmp;
  static LeaveLastOutSplit split;
  static int videos;
  static double random;

  @BeforeAll
  static void world() throws IOException {
    Dataset data = Dataset.read(TinyWorld.write(tmp.resolve("w"), TinyWorld.Spec.tiny()));
    split = LeaveLastOutSplit.of(data, 5, 10);
    videos = data.videos().size();
    random = recall50(new RandomRecommender(videos));
  }

  private static double recall50(Recommender r) {
    return QualityEvaluation.listMetrics(split, r).getDouble("recall@50");
  }

  /** Uniformly random lists: the floor every method must clear. */
  private record RandomRecommender(int videos) implements Recommender {
    @Override
    public String name() {
      return "random";
    }

    @Override
    public int[] recommend(int user, int k, boolean[] excluded) {
      SplittableRandom rnd = new SplittableRandom(user);
      float[] scores = new float[videos];
      for (int v = 0; v < videos; v++) {
        scores[v] = (float) rnd.nextDouble();
      }
      return Recommender.topK(scores, excluded, k);
    }
  }

  @Test
  void itemKnn_tinyWorld_beatsRandom() {
    double knn = recall50(new ItemKnn(split.trainItems(), videos, 50));
    assertTrue(knn > 2 * random, "ItemKNN " + knn + " vs random " + random);
  }

  @Test
  void implicitAls_tinyWorld_beatsRandom() {
    double als = recall50(new ImplicitAls(split.trainItems(), videos, 16, 10f, 1f, 5));
    assertTrue(als > 2 * random, "ALS " + als + " vs random " + random);
  }

  @Test
  void mostPopular_tinyWorld_isAValidList() {
    double pop = recall50(new MostPopular(split.trainItems(), videos));
    assertTrue(pop >= 0 && pop <= 1);
  }

  @Test
  void cholesky_spdSystem_solvesIt() {
    double[][] m = {{4, 2}, {2, 3}};
    double[] z = ImplicitAls.cholesky(m, new double[] {2, 1}, 2);
    // 4a + 2b = 2, 2a + 3b = 1 → a = 0.5, b = 0
    assertTrue(Math.abs(z[0] - 0.5) < 1e-9 && Math.abs(z[1]) < 1e-9);
  }
}
