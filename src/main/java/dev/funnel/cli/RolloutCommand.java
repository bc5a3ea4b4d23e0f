package dev.funnel.cli;

import dev.funnel.config.ConfigException;
import dev.funnel.config.FleetConfig;
import dev.funnel.config.FunnelConfig;
import dev.funnel.features.RedisClients;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code funnel rollout}: sets the model version the fleet should serve (docs/scale-out.md). It
 * writes {@code <prefix>desired} and publishes a nudge; the canary replica loads the version, and
 * once it serves it approves it for the others. {@code --no-canary} approves it at once (a fleet
 * without a canary, or an urgent rollback). Without a version it only prints the state: the two
 * keys and every replica's last report.
 */
@picocli.CommandLine.Command(
    name = "rollout",
    mixinStandardHelpOptions = true,
    description = "Set the model version a fleet of replicas serves, or show the rollout's state.")
public final class RolloutCommand implements Callable<Integer> {
  @Parameters(
      arity = "0..1",
      paramLabel = "VERSION",
      description = "the version to roll out (a directory name under each replica's models root)")
  String version;

  @Option(names = "--redis", paramLabel = "URL", description = "redis://host:port[/db] (redis.url)")
  String redis;

  @Option(
      names = "--conf",
      paramLabel = "FILE",
      description = "configuration file (default conf/funnel.properties)")
  Path conf;

  @Option(
      names = "--key-prefix",
      paramLabel = "PREFIX",
      description = "prefix of the rollout keys (fleet.key-prefix, default funnel:model:)")
  String keyPrefix;

  @Option(
      names = "--no-canary",
      description = "approve the version for every replica at once, without waiting for the canary")
  boolean noCanary;

  @Option(
      names = "--wait",
      paramLabel = "SECONDS",
      description =
          "wait until every live replica serves VERSION (exit 1 when one rejects it or on"
              + " timeout); 0 = do not wait")
  int waitSeconds;

  @Option(
      names = "--live-ms",
      paramLabel = "MS",
      description = "a replica that reported within this many ms counts as live",
      defaultValue = "5000")
  long liveMs;

  @Override
  public Integer call() {
    FunnelConfig config;
    try {
      Map<String, String> flags = new HashMap<>();
      flags.put("redis.url", redis);
      flags.put("fleet.key-prefix", keyPrefix);
      config = FunnelConfig.load(FunnelConfig.locateFile(conf), System.getenv(), flags);
    } catch (ConfigException e) {
      System.err.println("funnel rollout: " + e.getMessage());
      return 2;
    }
    if (config.redis().embedded()) {
      System.err.println("funnel rollout: the rollout keys live in Redis: give --redis URL");
      return 2;
    }
    if (version != null && !FleetConfig.isName(version)) {
      System.err.println(
          "funnel rollout: '" + version + "' is not a version name (letters, digits, . _ : -)");
      return 2;
    }
    FleetConfig fleet = config.fleet();
    Vertx vertx = Vertx.vertx();
    Redis client = Redis.createClient(vertx, RedisClients.options(config.redis()));
    try {
      long setAt = 0;
      if (version != null) {
        send(client, Request.cmd(Command.SET).arg(fleet.desiredKey()).arg(version));
        setAt = System.currentTimeMillis(); // the rollout's start: Redis holds the key
        if (noCanary) {
          send(client, Request.cmd(Command.SET).arg(fleet.approvedKey()).arg(version));
        }
        send(client, Request.cmd(Command.PUBLISH).arg(fleet.nudgeChannel()).arg(version));
        System.err.println(
            "funnel rollout: "
                + fleet.desiredKey()
                + " = "
                + version
                + (noCanary ? " (approved for every replica)" : " (the canary goes first)"));
      }
      if (version == null || waitSeconds <= 0) {
        JsonObject state = state(client, fleet);
        if (version != null) {
          state.put("set_at", setAt);
        }
        System.out.println(state.encodePrettily());
        return 0;
      }
      return await(client, fleet, setAt);
    } catch (Exception e) {
      System.err.println("funnel rollout: Redis at " + config.redis().url() + ": " + e);
      return 1;
    } finally {
      client.close();
      vertx.close();
    }
  }

  // Every replica that reported lately serves the version, or one of them rejected it.
  private int await(Redis client, FleetConfig fleet, long setAt) throws Exception {
    long start = System.nanoTime();
    long until = start + TimeUnit.SECONDS.toNanos(waitSeconds);
    while (true) {
      JsonObject state = state(client, fleet);
      JsonObject live = state.getJsonObject("replicas");
      boolean all = !live.isEmpty();
      String rejectedBy = null;
      for (String id : live.fieldNames()) {
        JsonObject r = live.getJsonObject(id);
        if (!version.equals(r.getString("version"))) {
          all = false;
          if ("failed".equals(r.getString("state")) && version.equals(r.getString("target"))) {
            rejectedBy = id;
          }
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      state.put("seconds", Math.round(seconds * 10) / 10.0).put("set_at", setAt);
      if (all || rejectedBy != null || System.nanoTime() > until) {
        System.out.println(state.encodePrettily());
        if (!all) {
          System.err.println(
              rejectedBy != null
                  ? "funnel rollout: replica " + rejectedBy + " rejected " + version
                  : "funnel rollout: not every replica serves " + version + " after " + seconds);
        }
        return all ? 0 : 1;
      }
      Thread.sleep(200);
    }
  }

  /** The two keys and the replicas that reported within {@code --live-ms}. */
  private JsonObject state(Redis client, FleetConfig fleet) throws Exception {
    // Two GETs, not one MGET: in a cluster the two keys live in different slots.
    Response desired = send(client, Request.cmd(Command.GET).arg(fleet.desiredKey()));
    Response approved = send(client, Request.cmd(Command.GET).arg(fleet.approvedKey()));
    Response all = send(client, Request.cmd(Command.HGETALL).arg(fleet.replicasKey()));
    long now = System.currentTimeMillis();
    JsonObject live = new JsonObject();
    JsonObject stale = new JsonObject();
    for (String id : all.getKeys()) {
      JsonObject r = new JsonObject(all.get(id).toString());
      (now - r.getLong("at", 0L) <= liveMs ? live : stale).put(id, r);
    }
    return new JsonObject()
        .put("desired", text(desired))
        .put("approved", text(approved))
        .put("replicas", live)
        .put("stale", stale);
  }

  private static Response send(Redis client, Request request) throws Exception {
    // Generous: a starved machine (the drills run beside the load) can take seconds to connect.
    return client.send(request).await(20, TimeUnit.SECONDS);
  }

  private static String text(Response r) {
    return r == null ? null : r.toString();
  }
}
