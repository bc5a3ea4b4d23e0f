package dev.funnel.cli;

import dev.funnel.config.ConfigException;
import dev.funnel.config.FunnelConfig;
import dev.funnel.data.Dataset;
import dev.funnel.data.ProfileSnapshots;
import dev.funnel.features.FeatureStore;
import dev.funnel.features.RedisFeatureStore;
import dev.funnel.features.UserProfile;
import dev.funnel.models.ModelBundle;
import dev.funnel.models.VideoCatalog;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code funnel load}: writes every user's latest profile (the end of the dataset) into the Redis
 * feature store, pipelined, one key per user. With {@code --models} it also reports how many
 * watched videos the model does not know (they are kept: the user tower ignores them, and a later
 * model may know them).
 */
@Command(
    name = "load",
    mixinStandardHelpOptions = true,
    description = "Load every user's latest profile from a dataset into Redis.")
public final class LoadCommand implements Callable<Integer> {
  @Option(names = "--data", required = true, paramLabel = "DIR", description = "dataset directory")
  Path data;

  @Option(
      names = "--models",
      paramLabel = "MODELDIR",
      description = "model to check the video ids against (optional)")
  Path models;

  @Option(names = "--redis", paramLabel = "URL", description = "redis://host:port[/db] (redis.url)")
  String redis;

  @Option(
      names = "--conf",
      paramLabel = "FILE",
      description = "configuration file (default conf/funnel.properties)")
  Path conf;

  @Override
  public Integer call() throws Exception {
    FunnelConfig config;
    try {
      Map<String, String> flags = new HashMap<>();
      flags.put("redis.url", redis);
      config = FunnelConfig.load(FunnelConfig.locateFile(conf), System.getenv(), flags);
    } catch (ConfigException e) {
      System.err.println("funnel load: " + e.getMessage());
      return 2;
    }
    if (config.redis().embedded()) {
      System.err.println(
          "funnel load: no Redis URL. The embedded feature store lives inside one process, so"
              + " loading it from a separate command would be lost when the command exits. Give"
              + " --redis redis://host:port (or FUNNEL_REDIS_URL), or use `./funnel demo`, which"
              + " loads its embedded store itself.");
      return 2;
    }
    long start = System.nanoTime();
    Dataset dataset = Dataset.read(data);
    List<UserProfile> profiles = ProfileSnapshots.latest(dataset);
    if (models != null) {
      try (ModelBundle bundle = ModelBundle.load(models)) {
        VideoCatalog catalog = bundle.catalog();
        long unknown =
            profiles.stream()
                .flatMap(p -> p.history().stream())
                .filter(w -> catalog.index(w.video()) < 0)
                .count();
        if (unknown > 0) {
          System.err.println(
              "funnel load: "
                  + unknown
                  + " watched videos are unknown to model "
                  + bundle.version());
        }
      }
    }
    Vertx vertx = Vertx.vertx();
    FeatureStore store = RedisFeatureStore.create(vertx, config.redis());
    try {
      store.ping().await(10, TimeUnit.SECONDS);
      long writeStart = System.nanoTime();
      store.putAll(profiles).await(30, TimeUnit.MINUTES);
      double writeSeconds = (System.nanoTime() - writeStart) / 1e9;
      System.out.printf(
          "funnel load: %d profiles written to %s in %.2f s (%.2f s in total)%n",
          profiles.size(),
          config.redis().target(),
          writeSeconds,
          (System.nanoTime() - start) / 1e9);
      return 0;
    } catch (Exception e) {
      System.err.println(
          "funnel load: cannot write to " + config.redis().target() + ": " + e.getMessage());
      return 1;
    } finally {
      store.close().eventually(vertx::close).await(10, TimeUnit.SECONDS);
    }
  }
}
