package dev.funnel.models;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.funnel.features.UserProfile;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** An untrained (randomly initialised) model version, for tests of loading and serving. */
final class RandomBundle {
  static final int VIDEOS = 500;
  static final long DATA_END = 1_700_000_000L;

  /** Initialised blocks, kept so tests can compare in-memory forwards with loaded ones. */
  record Parts(
      NDManager manager,
      UserTowerBlock tower,
      RankerBlock ranker,
      FeatureEncoder encoder,
      Path versionDir) {}

  private RandomBundle() {}

  static Parts write(Path modelsRoot) throws IOException {
    return write(modelsRoot, new int[VIDEOS], WatchTimeCalibration.ODDS);
  }

  /** As {@link #write(Path)}, with video durations (0 = unknown) and a calibration table. */
  static Parts write(Path modelsRoot, int[] durations, WatchTimeCalibration calibration)
      throws IOException {
    String[] ids = new String[VIDEOS], topics = new String[VIDEOS], langs = new String[VIDEOS];
    String[] titles = new String[VIDEOS];
    long[] upload = new long[VIDEOS];
    for (int i = 0; i < VIDEOS; i++) {
      ids[i] = "v" + i;
      topics[i] = "t" + (i % 10);
      langs[i] = i % 2 == 0 ? "en" : "fr";
      upload[i] = DATA_END - 86_400L * (i % 30);
      titles[i] = "video " + i;
    }
    VideoCatalog catalog = new VideoCatalog(ids, topics, langs, upload, titles, durations);
    Vocabularies vocabs =
        new Vocabularies(
            new Vocabulary(List.of("cat", "dog", "music")),
            new Vocabulary(List.of("US", "FR")),
            new Vocabulary(List.of("en", "fr")),
            new Vocabulary(List.of("f", "m", "u")));
    float[][] raw = new float[FeatureEncoder.RANKER_RAW][100];
    for (int f = 0; f < raw.length; f++) {
      for (int i = 0; i < 100; i++) {
        raw[f][i] = i * (f + 1) * 100f;
      }
    }
    Quantiles quantiles = Quantiles.fit(FeatureEncoder.RANKER_RAW_NAMES, raw, 20);
    ModelShapes shapes =
        ModelShapes.standard(
            VIDEOS,
            vocabs.tokens().size(),
            vocabs.geos().size(),
            vocabs.languages().size(),
            vocabs.genders().size());

    NDManager manager = NDManager.newBaseManager();
    UserTowerBlock tower = new UserTowerBlock(shapes);
    tower.initialize(manager, DataType.FLOAT32, UserTowerBlock.inputShapes(1));
    RankerBlock ranker = new RankerBlock(shapes);
    ranker.initialize(manager, DataType.FLOAT32, RankerBlock.inputShapes(4, 4));
    java.util.Random rnd = new java.util.Random(1);
    float[] vectors = new float[VIDEOS * shapes.dims()];
    for (int i = 0; i < vectors.length; i++) {
      vectors[i] = (float) rnd.nextGaussian() * 0.1f;
    }
    float[] bias = new float[VIDEOS];
    JsonObject manifest =
        new JsonObject()
            .put("created_at", "2024-01-01T00:00:00Z")
            .put("data", new JsonObject().put("name", "random").put("end_ts", DATA_END));
    FeatureEncoder encoder = new FeatureEncoder(vocabs, catalog, quantiles, 86_400f * 30);
    Path staged =
        ModelBundleWriter.stage(
            modelsRoot,
            "random-1",
            new ModelBundleWriter.Contents(
                manifest,
                shapes,
                vocabs,
                catalog,
                quantiles,
                86_400f * 30,
                tower,
                ranker,
                vectors,
                bias,
                new int[] {3, 1, 2},
                calibration));
    Path dir = ModelBundleWriter.publish(modelsRoot, staged, "random-1");
    return new Parts(manager, tower, ranker, encoder, dir);
  }

  static UserProfile profile() {
    List<UserProfile.Watched> history = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      history.add(new UserProfile.Watched("v" + (i * 7), DATA_END - 3600L * (12 - i)));
    }
    history.add(new UserProfile.Watched("not-a-video", DATA_END - 60));
    return new UserProfile(
        "u1", "FR", "fr", "f", 33, history, List.of("dog", "zzz"), Map.of("v3", 2, "v10", 1));
  }
}
