package dev.funnel.cli;

import dev.funnel.app.FunnelServer;
import dev.funnel.app.StartupChecks;
import dev.funnel.config.ConfigException;
import dev.funnel.config.FunnelConfig;
import dev.funnel.config.RedisConfig;
import dev.funnel.data.Dataset;
import dev.funnel.data.ProfileSnapshots;
import dev.funnel.features.FeatureStore;
import dev.funnel.features.FeatureStores;
import dev.funnel.features.UserProfile;
import dev.funnel.models.BundleFiles;
import dev.funnel.models.ModelBundle;
import dev.funnel.models.serving.FleetRollout;
import dev.funnel.models.serving.ModelReloader;
import io.vertx.core.Vertx;
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
 * {@code funnel serve}: loads a model version, builds its index, and serves the HTTP API until
 * SIGTERM/SIGINT, when a shutdown hook makes {@code /ready} answer 503 for {@code
 * http.drain-delay-ms} (balancers stop sending), then stops the HTTP verticles, the workers, the
 * store and Vert.x in reverse order of start.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Serve recommendations over HTTP (see conf/funnel.properties for every setting).")
public final class ServeCommand implements Callable<Integer> {
  /** serve and demo return from call() while the server keeps running on Vert.x threads. */
  static boolean keepsRunning(String[] args) {
    return args.length > 0 && (args[0].equals("serve") || args[0].equals("demo"));
  }

  @Option(
      names = "--conf",
      paramLabel = "FILE",
      description = "configuration file (default conf/funnel.properties)")
  Path conf;

  @Option(
      names = "--host",
      paramLabel = "H",
      description = "interface to bind (http.host, default 127.0.0.1)")
  String host;

  @Option(
      names = "--port",
      paramLabel = "N",
      description = "TCP port, 0 = any free (http.port, default 8080)")
  String port;

  @Option(
      names = "--redis",
      paramLabel = "URL",
      description =
          "redis://host:port of the feature store (redis.url); none = the embedded store, empty")
  String redis;

  @Option(
      names = "--models",
      paramLabel = "MODELDIR",
      description = "model version dir or models root with LATEST (models.dir, default models)")
  Path models;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description =
          "with the embedded store: preload every user's latest profile from this dataset")
  Path data;

  /**
   * A replica joining a fleet starts on the version the fleet serves (the approved one, or the
   * desired one for the canary) when this machine has it, rather than on {@code LATEST} and then
   * swapping seconds later.
   */
  private static Path rolloutTarget(Vertx vertx, FunnelConfig config) {
    String target = FleetRollout.startupTarget(vertx, config, 5000);
    if (target == null) {
      return config.modelsDir();
    }
    Path dir = ModelReloader.versionsRoot(config.modelsDir()).resolve(target);
    if (!Files.isRegularFile(dir.resolve(BundleFiles.MANIFEST))) {
      System.err.println(
          "funnel serve: the fleet serves "
              + target
              + ", which is not under "
              + dir.getParent()
              + ": starting on "
              + config.modelsDir());
      return config.modelsDir();
    }
    System.err.println("funnel serve: joining the fleet rollout on version " + target);
    return dir;
  }

  @Override
  public Integer call() {
    FunnelConfig config;
    try {
      Map<String, String> flags = new HashMap<>();
      flags.put("http.host", host);
      flags.put("http.port", port);
      flags.put("redis.url", redis);
      flags.put("models.dir", models == null ? null : models.toString());
      config = FunnelConfig.load(FunnelConfig.locateFile(conf), System.getenv(), flags);
    } catch (ConfigException e) {
      System.err.println("funnel serve: " + e.getMessage());
      return 2;
    }
    if (config.fleet().enabled() && config.redis().embedded()) {
      System.err.println(
          "funnel serve: fleet.replica-id is set but there is no Redis URL: the rollout keys live"
              + " in Redis (--redis, redis.url or FUNNEL_REDIS_URL)");
      return 2;
    }
    if (config.fleet().enabled() && config.redis().mode() != RedisConfig.Mode.STANDALONE) {
      // FleetRollout's client reads redis.url only, which these modes leave empty: it would
      // otherwise talk to the client's default, localhost:6379, someone else's Redis.
      System.err.println(
          "funnel serve: fleet.replica-id (the fleet rollout) needs redis.mode = standalone for"
              + " now; redis.mode is "
              + config.redis().mode().name().toLowerCase(java.util.Locale.ROOT));
      return 2;
    }
    if (data != null && !config.redis().embedded()) {
      System.err.println(
          "funnel serve: --data preloads the embedded store only; with Redis use ./funnel load");
      return 2;
    }
    if (config.redis().embedded() && data == null) {
      System.err.println(
          "funnel serve: no Redis URL (--redis, redis.url or FUNNEL_REDIS_URL): using an empty"
              + " embedded feature store, so every user is served as unknown (context and"
              + " popularity). `./funnel demo` loads profiles into the embedded store itself.");
    }
    // Checked before the seconds of model loading, so a taken port or a dead Redis is said at once.
    String portProblem = StartupChecks.portProblem(config.http().host(), config.http().port());
    if (portProblem != null) {
      System.err.println("funnel serve: " + portProblem);
      return 1;
    }
    Vertx vertx = Vertx.vertx();
    FeatureStore store = FeatureStores.create(vertx, config.redis());
    if (!config.redis().embedded()) {
      String storeProblem = StartupChecks.storeProblem(store, config.redis().target(), 2000);
      if (storeProblem != null) {
        System.err.println(
            "funnel serve: WARNING: "
                + storeProblem
                + ". Serving anyway: every user is served as unknown (degraded), and /health"
                + " reports the store unreachable until it answers.");
      }
    }
    Path modelPath = config.fleet().enabled() ? rolloutTarget(vertx, config) : config.modelsDir();
    ModelBundle bundle;
    try {
      bundle =
          ModelBundle.load(
              modelPath, dev.funnel.models.InferenceDevices.resolve(config.inference().device()));
    } catch (Exception e) {
      System.err.println(
          "funnel serve: cannot load a model from "
              + config.modelsDir().toAbsolutePath()
              + ": "
              + e.getMessage()
              + " (train one with ./funnel train, or pass --models)");
      store.close().eventually(vertx::close).await();
      return 1;
    }
    FunnelServer server;
    try {
      if (data != null) {
        List<UserProfile> profiles = ProfileSnapshots.latest(Dataset.read(data));
        store.putAll(profiles).await();
        System.err.println("funnel serve: " + profiles.size() + " profiles preloaded from " + data);
      }
      server = FunnelServer.start(vertx, config, bundle, store).await(5, TimeUnit.MINUTES);
    } catch (Exception e) {
      System.err.println("funnel serve: cannot start: " + e.getMessage());
      store.close().eventually(vertx::close).await();
      bundle.close();
      return 1;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.err.println("funnel serve: stopping");
                  try {
                    server
                        .shutdown()
                        .eventually(store::close)
                        .eventually(vertx::close)
                        .await(15_000 + config.http().drainDelayMs(), TimeUnit.MILLISECONDS);
                  } catch (Exception e) {
                    System.err.println("funnel serve: unclean stop: " + e.getMessage());
                  }
                  bundle.close();
                },
                "funnel-shutdown"));
    System.out.println(
        "funnel: serving model "
            + server.modelVersion()
            + " at "
            + server.url()
            + "  (try: curl "
            + server.url()
            + "/v1/recommendations/u0)");
    return 0;
  }
}
