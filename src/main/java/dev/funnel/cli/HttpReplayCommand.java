package dev.funnel.cli;

import dev.funnel.app.FunnelServer;
import dev.funnel.app.LocalRedisServer;
import dev.funnel.config.FunnelConfig;
import dev.funnel.data.Dataset;
import dev.funnel.data.DatasetFormatException;
import dev.funnel.data.ProfileSnapshots;
import dev.funnel.data.movielens.MovieLensImporter;
import dev.funnel.features.FeatureStore;
import dev.funnel.features.FeatureStores;
import dev.funnel.models.ModelBundle;
import dev.funnel.quality.HttpReplay;
import dev.funnel.quality.LeaveLastOutSplit;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./funnel http-replay}: the MovieLens leave-last-out figures through the HTTP API. Splits
 * the data as the quality report does, trains with {@code ./funnel train}'s defaults on the
 * training side (or takes {@code --models}), starts a private redis-server on a free port, loads
 * the training side's profiles with the normal loader (each user's profile as of their request),
 * serves over loopback and replays every evaluated user; the same users go through the in-process
 * predictors. JSON on stdout.
 */
@Command(
    name = "http-replay",
    mixinStandardHelpOptions = true,
    description =
        "Replay MovieLens leave-last-out requests through a real server (POST"
            + " /v1/recommendations with asOf and exclusions, n = 50) and compare HitRate@50 and"
            + " the lists with the in-process replay of the same model. JSON on stdout.")
public final class HttpReplayCommand implements Callable<Integer> {
  @Option(
      names = "--movielens",
      paramLabel = "DIR",
      description = "A MovieLens folder (imported into --work), e.g. ml-latest-small.")
  Path movielens;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description = "An already imported dataset instead of --movielens.")
  Path data;

  @Option(
      names = "--models",
      paramLabel = "MODELDIR",
      description =
          "A model version trained on this split's training side (default: train one with"
              + " `./funnel train`'s defaults into --work).")
  Path models;

  @Option(
      names = "--work",
      paramLabel = "DIR",
      defaultValue = "work/http-replay",
      description = "Scratch folder for the import and the model (default: ${DEFAULT-VALUE}).")
  Path work;

  @Option(
      names = "--users",
      paramLabel = "N",
      defaultValue = "0",
      description = "Replay only the first N evaluated users; 0 = all (default: ${DEFAULT-VALUE}).")
  int users;

  @Option(
      names = "--max-per-topic",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "serving.max-per-topic of the replay server; 0 (default) matches the in-process"
              + " replay, which has no topic cap.")
  int maxPerTopic;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "42",
      description = "Training seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() {
    if ((movielens == null) == (data == null)) {
      System.err.println("funnel http-replay: give exactly one of --movielens DIR or --data DIR");
      return 2;
    }
    try {
      Path dataDir = data;
      if (movielens != null) {
        dataDir = work.resolve("data");
        if (!Files.exists(dataDir.resolve("meta.json"))) {
          MovieLensImporter.importDir(movielens, dataDir);
        }
      }
      Dataset dataset = TrainCommand.readDataset(dataDir);
      LeaveLastOutSplit split = HttpReplay.split(dataset);
      Path version = models;
      if (version == null) {
        System.err.println("funnel http-replay: training on the split's training side");
        version = HttpReplay.train(split, work.resolve("models"), seed);
      }
      try (ModelBundle bundle = ModelBundle.load(version)) {
        JsonObject out = replay(split, bundle, maxPerTopic, users);
        out.put("model", bundle.version()).put("max_per_topic", maxPerTopic);
        System.out.println(out.encodePrettily());
      }
      return 0;
    } catch (IllegalArgumentException | DatasetFormatException | IOException e) {
      System.err.println("funnel http-replay: " + TrainCommand.message(e));
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  /**
   * Serves {@code bundle} from a private redis-server loaded with the split's training side and
   * replays its evaluated users ({@link HttpReplay#compare}).
   */
  static JsonObject replay(LeaveLastOutSplit split, ModelBundle bundle, int maxPerTopic, int users)
      throws IOException, InterruptedException {
    if (LocalRedisServer.findExecutable().isEmpty()) {
      throw new IllegalArgumentException("redis-server is not installed");
    }
    Vertx vertx = Vertx.vertx();
    try (LocalRedisServer redis = LocalRedisServer.start()) {
      FunnelConfig config =
          FunnelConfig.load(
              null,
              Map.of(),
              Map.of(
                  "http.port", "0",
                  "redis.url", redis.url(),
                  // a replay sends every watched and not-yet-released film as an exclusion
                  "http.max-body-bytes", String.valueOf(4 * 1024 * 1024),
                  "inference.index", "exact",
                  "serving.deadline-ms", "60000",
                  "redis.timeout-ms", "10000",
                  "serving.max-per-topic", String.valueOf(maxPerTopic)));
      FeatureStore store = FeatureStores.create(vertx, config.redis());
      FunnelServer server = null;
      try {
        store.putAll(ProfileSnapshots.latest(split.train())).await(5, TimeUnit.MINUTES);
        server = FunnelServer.start(vertx, config, bundle, store).await(5, TimeUnit.MINUTES);
        return HttpReplay.compare(split, bundle, server.url(), users);
      } catch (IOException | InterruptedException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IOException(e.getMessage(), e);
      } finally {
        if (server != null) {
          await(server.close());
        }
        await(store.close());
      }
    } finally {
      vertx.close();
    }
  }

  private static void await(io.vertx.core.Future<Void> closing) {
    try {
      closing.await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("funnel http-replay: closing: " + e.getMessage());
    }
  }
}
