package dev.funnel.models;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import dev.funnel.features.UserProfile;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One trained model version, loaded from {@code models/<version>/}: both models' parameters, the
 * video vectors (softmax weights W and bias b), the catalogue, normalisation quantiles, the
 * popularity list and the manifest. Immutable and shared by all workers; the per-thread parts
 * (predictors) come from {@link #newUserTower()} and {@link #newRanker()}.
 *
 * <p>{@link #load} validates before it returns: file sizes and parameter shapes against the
 * manifest, then one forward of each model at its serving shape (which also warms libtorch), so a
 * bundle that loads can serve. Close it only after every predictor made from it is closed.
 */
public final class ModelBundle implements AutoCloseable {
  /** Candidates per ranker forward unless the caller asks otherwise (DESIGN.md §2: K = 300). */
  public static final int DEFAULT_RANKER_BATCH = 300;

  private final Path dir;
  private final JsonObject manifest;
  private final String version;
  private final ModelShapes shapes;
  private final VideoCatalog catalog;
  private final FeatureEncoder encoder;
  private final WatchTimeCalibration calibration;
  private final float[] videoVectors;
  private final float[] videoBias;
  private final int[] popular;
  private final long dataEndTs;
  private final ServingOrder order;
  private final Model towerModel;
  private final Model rankerModel;
  // The direct forwards' views of the parameters; null where only the block forward serves.
  private final DirectUserTower.Weights towerWeights;
  private final DirectRanker.Weights rankerWeights;

  private ModelBundle(
      Path dir,
      JsonObject manifest,
      ModelShapes shapes,
      VideoCatalog catalog,
      FeatureEncoder encoder,
      WatchTimeCalibration calibration,
      float[] videoVectors,
      float[] videoBias,
      int[] popular,
      Model towerModel,
      Model rankerModel) {
    this.dir = dir;
    this.manifest = manifest;
    this.version = manifest.getString("version");
    this.shapes = shapes;
    this.catalog = catalog;
    this.encoder = encoder;
    this.calibration = calibration;
    this.videoVectors = videoVectors;
    this.videoBias = videoBias;
    this.popular = popular;
    JsonObject data = manifest.getJsonObject("data", new JsonObject());
    this.dataEndTs = data.getLong("end_ts", 0L);
    this.order = ServingOrder.of(manifest);
    this.towerModel = towerModel;
    this.rankerModel = rankerModel;
    // Serving never trains: no op needs to record autograd history (GradMode is per thread in
    // libtorch, and DJL switches it off only on the thread that started the engine).
    requireGradients(false);
    this.towerWeights = DirectUserTower.Weights.of((UserTowerBlock) towerModel.getBlock());
    this.rankerWeights =
        DirectRanker.Weights.of((RankerBlock) rankerModel.getBlock(), rankerModel.getNDManager());
  }

  /** Whether the parameters record autograd history: off once loaded; on only for benchmarks. */
  void requireGradients(boolean on) {
    for (Model m : new Model[] {towerModel, rankerModel}) {
      for (var p : m.getBlock().getParameters().values()) {
        p.getArray().setRequiresGradient(on);
      }
    }
  }

  /**
   * Loads and validates a version.
   *
   * @param path a version directory (holding {@code model.json}) or a models root whose {@code
   *     LATEST} file names the version
   * @throws IOException with a message naming the directory and what is wrong
   */
  public static ModelBundle load(Path path) throws IOException {
    return load(path, null);
  }

  /**
   * As {@link #load(Path)}, with both models on {@code device} (null = DJL's default: the first GPU
   * when a CUDA build of libtorch sees one, else the CPU). See {@link InferenceDevices}.
   */
  public static ModelBundle load(Path path, ai.djl.Device device) throws IOException {
    Path dir = resolve(path);
    JsonObject manifest;
    try {
      manifest = new JsonObject(Files.readString(dir.resolve(BundleFiles.MANIFEST)));
    } catch (DecodeException e) {
      throw new IOException(dir.resolve(BundleFiles.MANIFEST) + ": not valid JSON", e);
    }
    int format = manifest.getInteger("format", -1);
    if (format != BundleFiles.FORMAT) {
      throw new IOException(
          dir + ": model format " + format + ", this build reads " + BundleFiles.FORMAT);
    }
    if (manifest.getString("version") == null || manifest.getJsonObject("shapes") == null) {
      throw new IOException(dir + ": model.json lacks version or shapes");
    }
    ModelShapes shapes;
    try {
      shapes = ModelShapes.fromJson(manifest.getJsonObject("shapes"));
      ServingOrder.of(manifest); // an unknown order fails the load, not the first request
    } catch (IllegalArgumentException e) {
      throw new IOException(dir + ": " + e.getMessage(), e);
    }
    VideoCatalog catalog = VideoCatalog.read(dir.resolve(BundleFiles.VIDEOS));
    Vocabularies vocabularies = Vocabularies.read(dir);
    check(dir, "videos in videos.tsv", catalog.size(), shapes.videos());
    check(dir, "token vocabulary rows", vocabularies.tokens().size(), shapes.tokens());
    check(dir, "geo vocabulary rows", vocabularies.geos().size(), shapes.geos());
    check(dir, "language vocabulary rows", vocabularies.languages().size(), shapes.languages());
    check(dir, "gender vocabulary rows", vocabularies.genders().size(), shapes.genders());
    Quantiles quantiles = Quantiles.read(dir.resolve(BundleFiles.QUANTILES));
    float[] vectors =
        BundleFiles.readFloats(
            dir.resolve(BundleFiles.VIDEO_VECTORS), (long) catalog.size() * shapes.dims());
    float[] bias = BundleFiles.readFloats(dir.resolve(BundleFiles.VIDEO_BIAS), catalog.size());
    int[] popular = readPopular(dir.resolve(BundleFiles.POPULAR), catalog);
    float exampleAgeScale = manifest.getFloat("example_age_scale_s", 1f);
    FeatureEncoder encoder = new FeatureEncoder(vocabularies, catalog, quantiles, exampleAgeScale);
    WatchTimeCalibration calibration = WatchTimeCalibration.read(dir);

    Model tower = null;
    Model ranker = null;
    try {
      tower = loadModel(dir, BundleFiles.USER_TOWER, new UserTowerBlock(shapes), device);
      ranker = loadModel(dir, BundleFiles.RANKER, new RankerBlock(shapes), device);
      ModelBundle bundle =
          new ModelBundle(
              dir,
              manifest,
              shapes,
              catalog,
              encoder,
              calibration,
              vectors,
              bias,
              popular,
              tower,
              ranker);
      bundle.selfTest();
      return bundle;
    } catch (IOException | RuntimeException e) {
      if (tower != null) {
        tower.close();
      }
      if (ranker != null) {
        ranker.close();
      }
      if (e instanceof IOException io) {
        throw io;
      }
      throw new IOException(dir + ": model failed validation: " + e.getMessage(), e);
    }
  }

  /** The version directory {@code path} names: itself, or the one its {@code LATEST} file names. */
  public static Path resolve(Path path) throws IOException {
    if (Files.isRegularFile(path.resolve(BundleFiles.MANIFEST))) {
      return path;
    }
    Path latest = path.resolve(BundleFiles.LATEST);
    if (Files.isRegularFile(latest)) {
      String name = Files.readString(latest, StandardCharsets.UTF_8).trim();
      Path dir = path.resolve(name);
      if (name.isEmpty() || !Files.isRegularFile(dir.resolve(BundleFiles.MANIFEST))) {
        throw new IOException(latest + " names '" + name + "', which is not a model version");
      }
      return dir;
    }
    throw new IOException(
        path + " is neither a model version (no model.json) nor a models root (no LATEST)");
  }

  private static void check(Path dir, String what, long actual, long expected) throws IOException {
    if (actual != expected) {
      throw new IOException(
          dir + ": " + what + " = " + actual + ", but model.json says " + expected);
    }
  }

  private static Model loadModel(Path dir, String name, Block block, ai.djl.Device device)
      throws IOException {
    Model model = device == null ? Model.newInstance(name) : Model.newInstance(name, device);
    try {
      model.setBlock(block);
      model.load(dir, name);
      // Parameter files carry their own shapes: compare them with the blocks built from the
      // manifest, so a mismatched file fails here and not in the middle of a request.
      Block expected =
          block instanceof UserTowerBlock t
              ? new UserTowerBlock(t.shapes())
              : new RankerBlock(((RankerBlock) block).shapes());
      List<Parameter> want = expected.getParameters().values();
      List<Parameter> got = block.getParameters().values();
      for (int i = 0; i < want.size(); i++) {
        Shape w = want.get(i).getShape();
        Shape g = got.get(i).getArray().getShape();
        if (!w.equals(g)) {
          throw new IOException(
              dir
                  + ": "
                  + name
                  + " parameter "
                  + want.get(i).getName()
                  + " has shape "
                  + g
                  + ", the manifest implies "
                  + w);
        }
      }
      return model;
    } catch (MalformedModelException | IOException | RuntimeException e) {
      model.close();
      if (e instanceof IOException io) {
        throw io;
      }
      throw new IOException(dir + ": cannot load " + name + " parameters: " + e.getMessage(), e);
    }
  }

  private static int[] readPopular(Path file, VideoCatalog catalog) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    int[] out = new int[lines.size()];
    int n = 0;
    for (String line : lines) {
      int dense = catalog.index(line.trim());
      if (dense >= 0) {
        out[n++] = dense;
      }
    }
    return Arrays.copyOf(out, n);
  }

  /**
   * One forward of each model at its serving shape: proves the bundle serves, warms libtorch, and
   * checks that the direct forwards agree with the blocks' on this version.
   */
  private void selfTest() {
    List<UserProfile.Watched> history = new ArrayList<>();
    for (int i = 0; i < Math.min(5, catalog.size()); i++) {
      history.add(new UserProfile.Watched(catalog.id(i), dataEndTs - 3600L * (5 - i)));
    }
    UserProfile probe =
        new UserProfile("selftest", "", "", "u", 30, history, List.of("x"), Map.of());
    try (UserTower tower = newUserTower();
        RankerModel ranker = newRanker();
        UserTower blockTower = newBlockUserTower();
        RankerModel blockRanker = newBlockRanker(DEFAULT_RANKER_BATCH)) {
      float[] u = tower.userVector(probe, dataEndTs);
      for (float x : u) {
        if (!Float.isFinite(x)) {
          throw new IllegalStateException("user tower produced a non-finite value");
        }
      }
      agree("user tower", u, blockTower.userVector(probe, dataEndTs));
      int k = Math.min(DEFAULT_RANKER_BATCH, catalog.size());
      int[] candidates = new int[k];
      float[] scores = new float[k];
      for (int i = 0; i < k; i++) {
        candidates[i] = i;
      }
      float[] seconds = ranker.expectedWatchSeconds(probe, candidates, scores, k, dataEndTs);
      for (float s : seconds) {
        if (Float.isNaN(s) || s < 0) {
          throw new IllegalStateException("ranker produced an invalid score " + s);
        }
      }
      agree(
          "ranker",
          seconds,
          blockRanker.expectedWatchSeconds(probe, candidates, scores, k, dataEndTs));
    }
  }

  private static void agree(String model, float[] direct, float[] block) {
    for (int i = 0; i < direct.length; i++) {
      if (!(Math.abs(direct[i] - block[i]) <= 1e-4f * Math.max(1f, Math.abs(block[i])))) {
        throw new IllegalStateException(
            model
                + ": the direct forward gives "
                + direct[i]
                + " where the block gives "
                + block[i]
                + " (output "
                + i
                + ")");
      }
    }
  }

  public String version() {
    return version;
  }

  /** The manifest as written by the trainer (a copy: callers may modify it). */
  public JsonObject manifest() {
    return manifest.copy();
  }

  /** The directory this version was loaded from. */
  public Path directory() {
    return dir;
  }

  public VideoCatalog catalog() {
    return catalog;
  }

  /** How this version's ranker turns logits into watch seconds ({@code calibration.json}). */
  public WatchTimeCalibration calibration() {
    return calibration;
  }

  /**
   * How the home feed orders retrieval's candidates ({@code serving.order}, chosen at training).
   */
  public ServingOrder servingOrder() {
    return order;
  }

  /** The feature encoding this version was trained with (vocabularies, quantiles). */
  public FeatureEncoder encoder() {
    return encoder;
  }

  public ModelShapes shapes() {
    return shapes;
  }

  /** Length d of user and video vectors. */
  public int dims() {
    return shapes.dims();
  }

  /** Video vectors W, row-major, catalog().size() × dims(). Do not modify. */
  public float[] videoVectors() {
    return videoVectors;
  }

  /** Softmax bias b, one per video. Do not modify. */
  public float[] videoBias() {
    return videoBias;
  }

  /** Dense ids of the most popular videos at the end of training data, most popular first. */
  public int[] popular() {
    return popular;
  }

  /** The last event time of the training data: "now" on the data clock. */
  public long dataEndTs() {
    return dataEndTs;
  }

  /**
   * The end of the published candidate model's training window (model.json {@code
   * training.protocol.published_model.trained_to_ts}; 0 when not recorded): a replayed request at t
   * gets the example age trainedToTs − t.
   */
  public long trainedToTs() {
    return manifest()
        .getJsonObject("training", new io.vertx.core.json.JsonObject())
        .getJsonObject("protocol", new io.vertx.core.json.JsonObject())
        .getJsonObject("published_model", new io.vertx.core.json.JsonObject())
        .getLong("trained_to_ts", 0L);
  }

  /** A user tower for one worker thread (not thread-safe); close it when the worker stops. */
  public UserTower newUserTower() {
    return towerWeights == null
        ? newBlockUserTower()
        : new DirectUserTower(towerWeights, towerModel.getNDManager(), encoder, shapes.dims());
  }

  /** A user tower through the block's own forward (the reference the direct one must match). */
  UserTower newBlockUserTower() {
    return new DjlUserTower(towerModel, encoder, shapes.dims());
  }

  /** A ranker for one worker thread, {@link #DEFAULT_RANKER_BATCH} candidates per forward. */
  public RankerModel newRanker() {
    return newRanker(DEFAULT_RANKER_BATCH);
  }

  /**
   * A ranker that always runs forwards of exactly {@code batchSize} rows (padding or chunking), so
   * that libtorch sees one shape. Use the same size as the retrieval stage's K.
   */
  public RankerModel newRanker(int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
    }
    return rankerWeights == null
        ? newBlockRanker(batchSize)
        : new DirectRanker(
            rankerWeights, rankerModel.getNDManager(), encoder, calibration, batchSize);
  }

  /** A ranker through the block's own forward (the reference the direct one must match). */
  RankerModel newBlockRanker(int batchSize) {
    return new DjlRanker(rankerModel, encoder, calibration, batchSize);
  }

  /** Arrays held by both models' managers (parameters): constant while serving. For tests. */
  int openArrays() {
    return towerModel.getNDManager().getManagedArrays().size()
        + rankerModel.getNDManager().getManagedArrays().size();
  }

  /** Releases both models' native memory; every predictor made from this bundle must be closed. */
  @Override
  public void close() {
    towerModel.close();
    rankerModel.close();
  }
}
