package dev.funnel.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.cli.FunnelCli;
import dev.funnel.config.FunnelConfig;
import dev.funnel.features.EmbeddedFeatureStore;
import dev.funnel.models.ModelBundle;
import dev.funnel.testing.Http;
import dev.funnel.testing.RedisClusterSet;
import dev.funnel.testing.RedisSentinelSet;
import dev.funnel.testing.RedisServer;
import dev.funnel.testing.RedisServerExtension;
import dev.funnel.testing.TestConfig;
import dev.funnel.testing.TestWorld;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fleet rollout with a real redis-server and two servers over loopback, a canary and a follower,
 * driven by {@code ./funnel rollout}: the follower moves only once the canary approved the version,
 * a version that fails to load keeps the old one serving everywhere, and {@code /metrics} says
 * which version each replica serves.
 */
@ExtendWith(RedisServerExtension.class)
class FleetRolloutTest {
  private final TestWorld world = TestWorld.get();
  private final Vertx vertx = Vertx.vertx();
  private final RedisServer redisServer;
  private final String prefix = "fleet-test-" + UUID.randomUUID() + ":";
  private final List<FunnelServer> servers = new ArrayList<>();
  private final List<ModelBundle> bundles = new ArrayList<>();
  private Redis redis;
  @TempDir Path root;

  FleetRolloutTest(RedisServer redisServer) {
    this.redisServer = redisServer;
  }

  @BeforeEach
  void models() throws IOException {
    copyVersion("fleet-v1", "fleet-v1");
    copyVersion("fleet-v2", "fleet-v2");
    Files.writeString(root.resolve("LATEST"), "fleet-v1\n");
    redis = Redis.createClient(vertx, redisServer.url());
  }

  @AfterEach
  void stop() throws Exception {
    for (FunnelServer s : servers) {
      s.close().await(30, TimeUnit.SECONDS);
    }
    for (ModelBundle b : bundles) {
      b.close();
    }
    redis.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void rollout_followerWaitsForCanary_thenEveryReplicaServesItAndRollsBack() throws Exception {
    FunnelServer follower = start("follower", false);
    assertEquals(0, cli("rollout", "fleet-v2"));
    // No canary yet: nobody approved fleet-v2, so the follower keeps fleet-v1 (10 polls).
    Thread.sleep(1_000);
    assertEquals("fleet-v1", served(follower));
    assertNull(get("approved"));

    FunnelServer canary = start("canary", true);
    await(() -> "fleet-v2".equals(served(canary)) && "fleet-v2".equals(served(follower)));
    assertEquals("fleet-v2", get("approved"));
    await(() -> "fleet-v2".equals(replicaOrEmpty("follower").getString("version")));
    JsonObject report = replica("follower");
    assertEquals("current", report.getString("state"));
    assertEquals(true, replica("canary").getBoolean("canary"));
    // The canary served fleet-v2 before the follower did.
    assertTrue(
        replica("canary").getLong("since") <= report.getLong("since"),
        replica("canary") + " vs " + report);
    String metrics = Http.get(follower.url() + "/metrics").raw().body();
    assertTrue(metrics.contains("funnel_model_version{version=\"fleet-v2\"} 1.0"), metrics);
    assertTrue(
        metrics.contains(
            "funnel_model_rollout{replica=\"follower\",state=\"current\",target=\"fleet-v2\"}"
                + " 1.0"),
        metrics);

    // A rollback is a rollout of the old version; --wait returns once every live replica serves it.
    assertEquals(0, cli("rollout", "fleet-v1", "--wait", "60"));
    assertEquals("fleet-v1", served(canary));
    assertEquals("fleet-v1", served(follower));
  }

  @Test
  void rollout_versionThatFailsToLoad_keepsTheOldVersionEverywhereAndReportsIt() throws Exception {
    Path broken = copyVersion("fleet-broken", "fleet-broken");
    Path params = broken.resolve("ranker-0000.params");
    Files.write(params, java.util.Arrays.copyOf(Files.readAllBytes(params), 100));
    copyVersion("fleet-mislabelled", "fleet-v2"); // a directory that holds another version
    FunnelServer canary = start("canary", true);
    FunnelServer follower = start("follower", false);
    for (String bad : new String[] {"fleet-broken", "fleet-mislabelled", "fleet-missing"}) {
      assertEquals(1, cli("rollout", bad, "--wait", "60"), bad + ": the canary rejects it");
      JsonObject report = replica("canary");
      assertEquals("failed", report.getString("state"), report.encode());
      assertEquals(bad, report.getString("target"));
      assertEquals("fleet-v1", report.getString("version"));
      assertFalse(report.getString("error").isEmpty());
      assertNotEquals(bad, get("approved"));
      assertEquals("fleet-v1", served(canary));
      assertEquals("fleet-v1", served(follower));
      assertTrue(
          Http.get(canary.url() + "/metrics")
              .raw()
              .body()
              .contains("state=\"failed\",target=\"" + bad + "\""));
    }
    // A good version after the failures still goes through.
    assertEquals(0, cli("rollout", "fleet-v2", "--wait", "60"));
    assertEquals("fleet-v2", served(follower));
  }

  @Test
  void rollout_throughSentinels_reachesTheMasterTheSentinelsName() throws Exception {
    try (RedisSentinelSet set = RedisSentinelSet.start()) {
      String[] redis = {
        "redis.mode",
        "sentinel",
        "redis.endpoints",
        String.join(",", set.sentinelUrls()),
        "redis.master-name",
        RedisSentinelSet.MASTER_NAME
      };
      FunnelServer canary = start("canary", true, redis);
      FunnelServer follower = start("follower", false, redis);
      Path conf = root.resolve("sentinel.properties");
      Files.writeString(
          conf,
          "redis.mode = sentinel\nredis.endpoints = "
              + String.join(",", set.sentinelUrls())
              + "\nredis.master-name = "
              + RedisSentinelSet.MASTER_NAME
              + "\n");
      assertEquals(0, rolloutWithConf(conf));
      assertEquals("fleet-v2", served(canary));
      assertEquals("fleet-v2", served(follower));
      // The keys are on the master the sentinels name, not on some default server.
      assertEquals("fleet-v2", set.node(set.masterPort()).cli("GET", prefix + "approved").trim());
    }
  }

  @Test
  void rollout_onACluster_pollsWithoutPubSubAndKeysInTheirOwnSlots() throws Exception {
    try (RedisClusterSet cluster = RedisClusterSet.start()) {
      String seeds = String.join(",", cluster.seedUrls());
      FunnelServer canary =
          start("canary", true, "redis.mode", "cluster", "redis.endpoints", seeds);
      FunnelServer follower =
          start("follower", false, "redis.mode", "cluster", "redis.endpoints", seeds);
      Path conf = root.resolve("cluster.properties");
      Files.writeString(conf, "redis.mode = cluster\nredis.endpoints = " + seeds + "\n");
      assertEquals(0, rolloutWithConf(conf));
      assertEquals("fleet-v2", served(canary));
      assertEquals("fleet-v2", served(follower));
    }
  }

  private FunnelServer start(String id, boolean canary) throws Exception {
    return start(id, canary, "redis.url", redisServer.url());
  }

  /** A replica whose rollout reaches Redis through {@code redis} (config key, value, ...). */
  private FunnelServer start(String id, boolean canary, String... redis) throws Exception {
    List<String> settings = new ArrayList<>(List.of(redis));
    settings.addAll(
        List.of(
            "inference.workers",
            "1",
            "models.dir",
            root.toString(),
            "fleet.replica-id",
            id,
            "fleet.canary",
            Boolean.toString(canary),
            "fleet.poll-ms",
            "100",
            "fleet.key-prefix",
            prefix,
            "serving.deadline-ms",
            "2000"));
    FunnelConfig config = TestConfig.server(settings.toArray(String[]::new));
    EmbeddedFeatureStore store = new EmbeddedFeatureStore();
    store.putAll(world.profiles).await();
    ModelBundle bundle = ModelBundle.load(root);
    bundles.add(bundle);
    FunnelServer s = FunnelServer.start(vertx, config, bundle, store).await(120, TimeUnit.SECONDS);
    servers.add(s);
    return s;
  }

  /** {@code ./funnel rollout fleet-v2 --wait 60} with the Redis settings of a properties file. */
  private int rolloutWithConf(Path conf) {
    return FunnelCli.commandLine()
        .execute(
            "rollout",
            "fleet-v2",
            "--wait",
            "60",
            "--conf",
            conf.toString(),
            "--key-prefix",
            prefix);
  }

  private int cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--redis", redisServer.url(), "--key-prefix", prefix));
    return FunnelCli.commandLine().execute(all.toArray(String[]::new));
  }

  private String served(FunnelServer s) {
    return Http.get(s.url() + "/v1/recommendations/" + world.profiles.get(0).userId())
        .json()
        .getString("model");
  }

  private String get(String key) throws Exception {
    Response r = redis.send(Request.cmd(Command.GET).arg(prefix + key)).await(5, TimeUnit.SECONDS);
    return r == null ? null : r.toString();
  }

  private JsonObject replica(String id) throws Exception {
    Response r =
        redis
            .send(Request.cmd(Command.HGET).arg(prefix + "replicas").arg(id))
            .await(5, TimeUnit.SECONDS);
    return new JsonObject(r.toString());
  }

  private JsonObject replicaOrEmpty(String id) {
    try {
      return replica(id);
    } catch (Exception e) {
      return new JsonObject();
    }
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < until, "not within 60 s");
      Thread.sleep(50);
    }
  }

  /** The test world's model files under root/name, saying {@code version}. */
  private Path copyVersion(String name, String version) throws IOException {
    Path dst = root.resolve(name);
    Files.createDirectories(dst);
    try (var files = Files.list(world.bundle.directory())) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(f, dst.resolve(f.getFileName()));
      }
    }
    JsonObject manifest = new JsonObject(Files.readString(dst.resolve("model.json")));
    Files.writeString(dst.resolve("model.json"), manifest.put("version", version).encodePrettily());
    return dst;
  }
}
