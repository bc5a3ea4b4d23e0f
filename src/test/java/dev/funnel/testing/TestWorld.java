package dev.funnel.testing;

import dev.funnel.data.Dataset;
import dev.funnel.data.ProfileSnapshots;
import dev.funnel.data.generate.GeneratorOptions;
import dev.funnel.data.generate.WorldGenerator;
import dev.funnel.features.UserProfile;
import dev.funnel.models.ModelBundle;
import dev.funnel.retrieval.GraphIndex;
import dev.funnel.train.ModelTrainer;
import dev.funnel.train.TrainOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/**
 * The tiny synthetic world every end-to-end test serves: generated, trained with {@link
 * TrainOptions#fast()} (serving order forced to the ranker's) and loaded once per JVM. Data and
 * models are cached under {@code target/test-world/} and reused by later runs ({@code mvn clean}
 * rebuilds them).
 */
public final class TestWorld {
  public static final Path ROOT = Path.of("target", "test-world");
  private static TestWorld instance;

  public final Dataset data;
  public final ModelBundle bundle;
  public final List<UserProfile> profiles;

  private TestWorld(Dataset data, ModelBundle bundle, List<UserProfile> profiles) {
    this.data = data;
    this.bundle = bundle;
    this.profiles = profiles;
  }

  public static synchronized TestWorld get() {
    if (instance == null) {
      try {
        instance = build();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return instance;
  }

  private static TestWorld build() throws IOException {
    Path dataDir = ROOT.resolve("data");
    Path modelsRoot = ROOT.resolve("models");
    if (!Files.exists(dataDir.resolve(Dataset.META))) {
      // Generate beside, then move: a killed run never leaves a half-written world to reuse.
      // (same final directory name: the dataset is named after it)
      Path staging = ROOT.resolve("staging");
      Path tmp = staging.resolve("data");
      deleteTree(staging);
      Files.createDirectories(staging);
      WorldGenerator.generate(GeneratorOptions.tiny(), tmp);
      deleteTree(dataDir);
      deleteTree(modelsRoot);
      Files.move(tmp, dataDir);
      deleteTree(staging);
    }
    Dataset data = Dataset.read(dataDir);
    Path version;
    if (Files.exists(modelsRoot.resolve("LATEST"))) {
      version = modelsRoot;
    } else {
      deleteTree(modelsRoot);
      // The ranker's order, whatever the tiny world's validation prefers (it prefers retrieval's):
      // the API tests exercise the full funnel; RecommendPipelineTest serves the other order.
      version =
          ModelTrainer.train(
              data, modelsRoot, TrainOptions.fast().withOrder(TrainOptions.Order.RANKER));
    }
    ModelBundle bundle = ModelBundle.load(version);
    // Serve through the ANN graph, as production does at scale (inference.index = auto picks it),
    // so the API tests cover it; the exact index stays the ground truth in GraphIndexTest.
    if (!GraphIndex.exists(bundle.directory())) {
      GraphIndex g =
          GraphIndex.build(
              bundle.videoVectors(),
              bundle.videoBias(),
              bundle.dims(),
              GraphIndex.Params.defaults());
      g.save(bundle.directory(), null);
      g.close();
    }
    return new TestWorld(data, bundle, ProfileSnapshots.latest(data));
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
