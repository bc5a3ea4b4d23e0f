package dev.funnel.models;

import ai.djl.Model;
import ai.djl.nn.Block;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes a model version the way {@link ModelBundle#load} reads it. A version is first written to a
 * hidden staging directory under the models root, where it can be loaded and evaluated, then {@link
 * #publish}ed: renamed into place, and only then named in {@code LATEST}. A crash in between leaves
 * either the old LATEST or a complete new version, never a half-written one.
 */
public final class ModelBundleWriter {
  private ModelBundleWriter() {}

  /**
   * Everything a version holds. {@code manifest} carries the trainer's facts (data, split,
   * training, metrics); the writer adds format, version, shapes and vocabulary sizes itself. {@code
   * calibration} maps ranker logits to watch seconds ({@link WatchTimeCalibration#ODDS}: none).
   */
  public record Contents(
      JsonObject manifest,
      ModelShapes shapes,
      Vocabularies vocabularies,
      VideoCatalog catalog,
      Quantiles quantiles,
      float exampleAgeScaleSeconds,
      UserTowerBlock tower,
      RankerBlock ranker,
      float[] videoVectors,
      float[] videoBias,
      int[] popular,
      WatchTimeCalibration calibration) {}

  /** Writes {@code modelsRoot/.staging-<version>} and returns it. */
  public static Path stage(Path modelsRoot, String version, Contents c) throws IOException {
    int v = c.catalog().size();
    if (c.shapes().videos() != v
        || c.videoVectors().length != (long) v * c.shapes().dims()
        || c.videoBias().length != v) {
      throw new IllegalArgumentException("video vectors, bias and catalogue disagree in size");
    }
    Files.createDirectories(modelsRoot);
    Path dir = modelsRoot.resolve(".staging-" + version);
    deleteRecursively(dir);
    Files.createDirectories(dir);

    JsonObject manifest =
        c.manifest()
            .copy()
            .put("format", BundleFiles.FORMAT)
            .put("version", version)
            .put("shapes", c.shapes().toJson())
            .put("vocabulary", c.vocabularies().sizes().put("videos", v))
            .put("example_age_scale_s", c.exampleAgeScaleSeconds());
    writeManifest(dir, manifest);
    c.catalog().write(dir.resolve(BundleFiles.VIDEOS));
    c.vocabularies().write(dir);
    c.quantiles().write(dir.resolve(BundleFiles.QUANTILES));
    c.calibration().write(dir);
    BundleFiles.writeFloats(dir.resolve(BundleFiles.VIDEO_VECTORS), c.videoVectors());
    BundleFiles.writeFloats(dir.resolve(BundleFiles.VIDEO_BIAS), c.videoBias());
    List<String> popular = new ArrayList<>(c.popular().length);
    for (int p : c.popular()) {
      popular.add(c.catalog().id(p));
    }
    Files.write(dir.resolve(BundleFiles.POPULAR), popular, StandardCharsets.UTF_8);
    saveBlock(dir, BundleFiles.USER_TOWER, c.tower());
    saveBlock(dir, BundleFiles.RANKER, c.ranker());
    return dir;
  }

  /** Replaces the manifest of a (staged) version, e.g. to add evaluation metrics. */
  public static void writeManifest(Path dir, JsonObject manifest) throws IOException {
    Path tmp = dir.resolve(BundleFiles.MANIFEST + ".tmp");
    Files.writeString(tmp, manifest.encodePrettily() + "\n");
    move(tmp, dir.resolve(BundleFiles.MANIFEST));
  }

  /** Moves a staged version to {@code modelsRoot/<version>} and points LATEST at it. */
  public static Path publish(Path modelsRoot, Path staged, String version) throws IOException {
    Path target = modelsRoot.resolve(version);
    if (Files.exists(target)) {
      throw new IOException("model version already exists: " + target);
    }
    move(staged, target);
    Path tmp = modelsRoot.resolve(BundleFiles.LATEST + ".tmp");
    Files.writeString(tmp, version + "\n");
    move(tmp, modelsRoot.resolve(BundleFiles.LATEST));
    return target;
  }

  /** A version name not yet taken under the root: {@code base}, else base-2, base-3, … */
  public static String freshVersion(Path modelsRoot, String base) {
    String name = base;
    for (int i = 2; Files.exists(modelsRoot.resolve(name)); i++) {
      name = base + "-" + i;
    }
    return name;
  }

  private static void saveBlock(Path dir, String name, Block block) throws IOException {
    // The Model is only a writer here: the block's arrays belong to the trainer's manager, and
    // closing the Model closes only its own (empty) manager.
    try (Model model = Model.newInstance(name)) {
      model.setBlock(block);
      model.save(dir, name);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
