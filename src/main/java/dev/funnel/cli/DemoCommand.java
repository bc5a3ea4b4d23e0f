package dev.funnel.cli;

import dev.funnel.app.FunnelServer;
import dev.funnel.app.LocalRedisServer;
import dev.funnel.app.StartupChecks;
import dev.funnel.config.ConfigException;
import dev.funnel.config.FunnelConfig;
import dev.funnel.data.Dataset;
import dev.funnel.data.ProfileSnapshots;
import dev.funnel.data.generate.GeneratorOptions;
import dev.funnel.data.generate.WorldGenerator;
import dev.funnel.features.EmbeddedFeatureStore;
import dev.funnel.features.FeatureStore;
import dev.funnel.features.FeatureStores;
import dev.funnel.features.UserProfile;
import dev.funnel.models.ModelBundle;
import dev.funnel.train.ModelTrainer;
import dev.funnel.train.TrainOptions;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code funnel demo}: the whole funnel on one machine with defaults. Generates the RW-small world
 * (once), trains both models (once; reused while the data is unchanged), loads every user's
 * features into a private redis-server when one is installed (else the embedded store), and serves
 * until Ctrl-C. Each step says what it does and how long it took.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Generate RW-small, train, load features, serve on :8080 (steps already done are reused).")
public final class DemoCommand implements Callable<Integer> {
  /** Remembers which model version the demo trained on its data, so a restart reuses it. */
  private static final String MODEL_MARKER = "MODEL";

  @Option(
      names = "--work",
      paramLabel = "DIR",
      description = "where the demo keeps its dataset (default: work/demo)")
  Path work = Path.of("work", "demo");

  @Option(
      names = "--preset",
      paramLabel = "NAME",
      description = "world size: rw-small (default), tiny, rw-1m")
  String preset = "rw-small";

  @Option(names = "--port", paramLabel = "N", description = "HTTP port (http.port, default 8080)")
  String port;

  @Option(
      names = "--redis",
      paramLabel = "URL",
      description = "use this Redis instead of starting a private redis-server")
  String redis;

  @Option(
      names = "--embedded",
      description = "use the in-process feature store even when redis-server is installed")
  boolean embedded;

  @Option(names = "--retrain", description = "train new models even if the demo has some")
  boolean retrain;

  @Option(
      names = "--conf",
      paramLabel = "FILE",
      description = "configuration file (default conf/funnel.properties)")
  Path conf;

  @Override
  public Integer call() throws Exception {
    FunnelConfig config;
    GeneratorOptions world;
    try {
      Map<String, String> flags = new HashMap<>();
      flags.put("http.port", port);
      config = FunnelConfig.load(FunnelConfig.locateFile(conf), System.getenv(), flags);
      world = GeneratorOptions.preset(preset);
    } catch (ConfigException | IllegalArgumentException e) {
      System.err.println("funnel demo: " + e.getMessage());
      return 2;
    }
    // Before minutes of generating and training: a taken port is said at once.
    String portProblem = StartupChecks.portProblem(config.http().host(), config.http().port());
    if (portProblem != null) {
      System.err.println("funnel demo: " + portProblem);
      return 1;
    }
    Path data = work.resolve(preset);
    Path modelsRoot = config.modelsDir();

    if (!Files.exists(data.resolve(Dataset.META))) {
      step("1/4 generating the " + preset + " world into " + data);
      long t = System.nanoTime();
      WorldGenerator.Summary s = WorldGenerator.generate(world, data);
      done(t, s.videos() + " videos, " + s.users() + " users, " + s.watches() + " watches");
    } else {
      step("1/4 reusing the " + preset + " world in " + data);
    }
    Dataset dataset = Dataset.read(data);

    Path version = reusableModel(data, modelsRoot);
    if (version == null || retrain) {
      step(
          "2/4 training both models into "
              + modelsRoot
              + " (the long step: 21 min measured on 2 busy cores, see README; progress below)");
      long t = System.nanoTime();
      version = ModelTrainer.train(dataset, modelsRoot, TrainOptions.defaults());
      Files.writeString(data.resolve(MODEL_MARKER), version.toAbsolutePath() + "\n");
      done(t, "model " + version.getFileName());
    } else {
      step("2/4 reusing model " + version + " (--retrain to train again)");
    }
    ModelBundle bundle = ModelBundle.load(version);
    System.out.println("      evaluation: " + bundle.manifest().getValue("metrics"));

    Vertx vertx = Vertx.vertx();
    LocalRedisServer localRedis = null;
    FeatureStore store;
    if (redis != null && !redis.isBlank()) {
      store = FeatureStores.create(vertx, config.redis().withUrl(redis));
      String storeProblem = StartupChecks.storeProblem(store, redis, 2000);
      if (storeProblem != null) {
        System.err.println("funnel demo: " + storeProblem);
        stop(null, store, vertx, bundle, null);
        return 1;
      }
    } else if (!embedded && LocalRedisServer.findExecutable().isPresent()) {
      // The pid file lets the next demo stop this server if this JVM gets kill -9'd.
      localRedis = LocalRedisServer.start(work.resolve("redis.pid"));
      store = FeatureStores.create(vertx, config.redis().withUrl(localRedis.url()));
    } else {
      store = new EmbeddedFeatureStore();
    }
    String where =
        localRedis != null
            ? "a private redis-server (pid " + localRedis.pid() + ", " + localRedis.url() + ")"
            : store.kind() + " store";
    step("3/4 loading user features into " + where);
    long t = System.nanoTime();
    List<UserProfile> profiles = ProfileSnapshots.latest(dataset);
    store.putAll(profiles).await(5, TimeUnit.MINUTES);
    done(t, profiles.size() + " profiles");

    step("4/4 starting the server");
    FunnelServer server;
    try {
      server = FunnelServer.start(vertx, config, bundle, store).await(5, TimeUnit.MINUTES);
    } catch (Exception e) {
      System.err.println("funnel demo: cannot start the server: " + e.getMessage());
      stop(null, store, vertx, bundle, localRedis);
      return 1;
    }
    LocalRedisServer redisToStop = localRedis;
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> stop(server, store, vertx, bundle, redisToStop), "funnel-demo-stop"));

    String user = sampleUser(profiles);
    System.out.println();
    System.out.println("Funnel is serving model " + server.modelVersion() + " at " + server.url());
    System.out.println("Try:");
    System.out.println("  curl -s '" + server.url() + "/v1/recommendations/" + user + "?count=5'");
    System.out.println(
        "  curl -s -X POST -H 'Content-Type: application/json' -d '{\"history\":[\""
            + profiles.get(0).history().stream()
                .findFirst()
                .map(UserProfile.Watched::video)
                .orElse("v0")
            + "\"],\"count\":5}' "
            + server.url()
            + "/v1/recommendations");
    System.out.println("Stop with Ctrl-C.");
    return 0;
  }

  /** The model this demo trained on this data, if it is still on disk. */
  private static Path reusableModel(Path data, Path modelsRoot) throws IOException {
    Path marker = data.resolve(MODEL_MARKER);
    if (!Files.exists(marker)) {
      return null;
    }
    Path version = Path.of(Files.readString(marker).trim());
    if (!Files.exists(version.resolve("model.json"))) {
      return null;
    }
    return version;
  }

  /** A user with a real history, so that the first curl shows personal recommendations. */
  private static String sampleUser(List<UserProfile> profiles) {
    return profiles.stream()
        .filter(p -> p.history().size() >= 10)
        .map(UserProfile::userId)
        .findFirst()
        .orElse(profiles.isEmpty() ? "u0" : profiles.get(0).userId());
  }

  private static void stop(
      FunnelServer server,
      FeatureStore store,
      Vertx vertx,
      ModelBundle bundle,
      LocalRedisServer localRedis) {
    try {
      (server == null ? io.vertx.core.Future.<Void>succeededFuture() : server.close())
          .eventually(store::close)
          .eventually(vertx::close)
          .await(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("funnel demo: unclean stop: " + e.getMessage());
    }
    bundle.close();
    if (localRedis != null) {
      localRedis.close();
    }
  }

  private static void step(String what) {
    System.out.println("funnel demo: " + what);
  }

  private static void done(long startNanos, String what) {
    System.out.printf("      done in %.1f s: %s%n", (System.nanoTime() - startNanos) / 1e9, what);
  }
}
