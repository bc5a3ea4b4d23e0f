package dev.funnel.cli;

import dev.funnel.config.ConfigException;
import dev.funnel.config.FunnelConfig;
import dev.funnel.events.kafka.EventReplay;
import dev.funnel.features.FeatureStore;
import dev.funnel.features.RedisFeatureStore;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code funnel events-replay}: applies the whole events topic to a Redis feature store, through
 * the same idempotent apply as the serving consumer (docs/events-kafka.md). After a store lost its
 * data: {@code ./funnel load} the dataset's profiles, then replay.
 */
@Command(
    name = "events-replay",
    mixinStandardHelpOptions = true,
    description =
        "Apply the events topic from its first record to a Redis feature store (rebuilds the"
            + " profiles; idempotent by event id). Prints a JSON summary.")
public final class EventsReplayCommand implements Callable<Integer> {
  @Option(
      names = "--kafka",
      paramLabel = "HOST:PORT",
      description = "Kafka bootstrap servers (events.kafka.bootstrap)")
  String kafka;

  @Option(names = "--topic", description = "the events topic (events.kafka.topic)")
  String topic;

  @Option(names = "--redis", paramLabel = "URL", description = "redis://host:port (redis.url)")
  String redis;

  @Option(
      names = "--conf",
      paramLabel = "FILE",
      description = "configuration file (default conf/funnel.properties)")
  Path conf;

  @Option(
      names = "--timeout-s",
      defaultValue = "30",
      description = "give up when the broker sends nothing for this long")
  int timeoutSeconds;

  @Override
  public Integer call() throws Exception {
    FunnelConfig config;
    try {
      Map<String, String> flags = new HashMap<>();
      flags.put("redis.url", redis);
      flags.put("events.kafka.bootstrap", kafka);
      flags.put("events.kafka.topic", topic);
      config = FunnelConfig.load(FunnelConfig.locateFile(conf), System.getenv(), flags);
    } catch (ConfigException e) {
      System.err.println("funnel events-replay: " + e.getMessage());
      return 2;
    }
    if (config.redis().embedded() || config.events().bootstrap().isEmpty()) {
      System.err.println(
          "funnel events-replay: needs a Redis (--redis) and a Kafka broker (--kafka)");
      return 2;
    }
    Vertx vertx = Vertx.vertx();
    FeatureStore store = RedisFeatureStore.create(vertx, config.redis());
    long start = System.nanoTime();
    try {
      store.ping().await(10, TimeUnit.SECONDS);
      EventReplay.Result r =
          EventReplay.run(config.events(), store::applyEvents, Duration.ofSeconds(timeoutSeconds));
      System.out.println(
          new JsonObject()
              .put("topic", config.events().topic())
              .put("records", r.records())
              .put("applied", r.applied())
              .put("duplicates", r.duplicates())
              .put("undecodable", r.undecodable())
              .put("seconds", Math.round((System.nanoTime() - start) / 1e7) / 100.0)
              .encode());
      return 0;
    } catch (Exception e) {
      System.err.println("funnel events-replay: " + e.getMessage());
      return 1;
    } finally {
      store.close().eventually(vertx::close).await(10, TimeUnit.SECONDS);
    }
  }
}
