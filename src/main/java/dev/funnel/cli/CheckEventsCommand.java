package dev.funnel.cli;

import dev.funnel.config.ConfigException;
import dev.funnel.config.FunnelConfig;
import dev.funnel.features.FeatureStore;
import dev.funnel.features.RedisFeatureStore;
import dev.funnel.features.UserProfile;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./funnel check-events}: reads back, through the configured store (the master Sentinel
 * names now, or each user's cluster master), the profile of every user in a {@code drill-load}
 * {@code accepted.tsv} and checks that each event answered 202 is in it (its impression counted).
 */
@Command(
    name = "check-events",
    mixinStandardHelpOptions = true,
    description =
        "Check that every event a drill-load run saw answered 202 is in the stored profiles"
            + " (redis.* from --conf, FUNNEL_REDIS_* or --redis).")
public final class CheckEventsCommand implements Callable<Integer> {
  @Option(
      names = "--accepted",
      required = true,
      paramLabel = "FILE",
      description = "accepted.tsv of ./funnel drill-load (id, user, video, send ms)")
  Path accepted;

  @Option(names = "--redis", paramLabel = "URL", description = "redis://host:port (standalone)")
  String redis;

  @Option(
      names = "--conf",
      paramLabel = "FILE",
      description = "configuration file (default conf/funnel.properties)")
  Path conf;

  /** One event answered 202. */
  record Accepted(String id, String user, String video) {}

  @Override
  public Integer call() throws Exception {
    FunnelConfig config;
    try {
      Map<String, String> flags = new java.util.HashMap<>();
      flags.put("redis.url", redis);
      config = FunnelConfig.load(FunnelConfig.locateFile(conf), System.getenv(), flags);
    } catch (ConfigException e) {
      System.err.println("funnel check-events: " + e.getMessage());
      return 2;
    }
    if (config.redis().embedded()) {
      System.err.println("funnel check-events: no Redis configured (--redis or redis.*)");
      return 2;
    }
    List<Accepted> events = read(accepted);
    Vertx vertx = Vertx.vertx();
    FeatureStore store = RedisFeatureStore.create(vertx, config.redis());
    try {
      JsonObject result = check(store, events).put("store", config.redis().target());
      System.out.println(result.encode());
      return result.getLong("missing") == 0 ? 0 : 1;
    } finally {
      store.close().eventually(vertx::close).await(10, TimeUnit.SECONDS);
    }
  }

  static List<Accepted> read(Path file) throws java.io.IOException {
    List<Accepted> out = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split("\t");
      if (f.length < 3) {
        throw new IllegalArgumentException(file + ": not id, user, video: " + line);
      }
      out.add(new Accepted(f[0], f[1], f[2]));
    }
    return out;
  }

  /**
   * {@code {"accepted","users","present","missing","missing_sample":[ids]}}: an event is present
   * when its user's profile counts an impression of its video. Reads 64 profiles at a time.
   */
  static JsonObject check(FeatureStore store, List<Accepted> events) throws Exception {
    Map<String, List<Accepted>> byUser = new LinkedHashMap<>();
    events.forEach(e -> byUser.computeIfAbsent(e.user(), u -> new ArrayList<>()).add(e));
    List<String> users = new ArrayList<>(byUser.keySet());
    long present = 0;
    JsonArray sample = new JsonArray();
    for (int from = 0; from < users.size(); from += 64) {
      List<String> chunk = users.subList(from, Math.min(users.size(), from + 64));
      List<Future<Optional<UserProfile>>> reads = new ArrayList<>();
      chunk.forEach(u -> reads.add(store.get(u)));
      Future.all(reads).await(60, TimeUnit.SECONDS);
      for (int i = 0; i < chunk.size(); i++) {
        Optional<UserProfile> profile = reads.get(i).result();
        for (Accepted e : byUser.get(chunk.get(i))) {
          if (profile.isPresent() && profile.get().impressions(e.video()) > 0) {
            present++;
          } else if (sample.size() < 20) {
            sample.add(e.id());
          }
        }
      }
    }
    return new JsonObject()
        .put("accepted", events.size())
        .put("users", users.size())
        .put("present", present)
        .put("missing", events.size() - present)
        .put("missing_sample", sample);
  }
}
