package dev.funnel.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FunnelConfigTest {
  @TempDir Path dir;

  @Test
  void defaults_matchTheDocumentedValues() {
    FunnelConfig c = FunnelConfig.defaults();
    assertEquals("127.0.0.1", c.http().host());
    assertEquals(8080, c.http().port());
    assertTrue(c.redis().embedded());
    assertEquals(16, c.redis().poolSize());
    assertEquals(4096, c.redis().poolMaxWaiting());
    assertEquals(RedisConfig.Mode.STANDALONE, c.redis().mode());
    assertEquals(RedisConfig.ReadFrom.MASTER, c.redis().readFrom());
    assertEquals(0, c.redis().waitReplicas());
    assertEquals(Runtime.getRuntime().availableProcessors(), c.inference().workers());
    assertEquals(300, c.serving().candidates());
    assertEquals(20, c.serving().defaultCount());
    assertEquals(500, c.serving().maxCount());
    assertEquals(ServingConfig.ClockMode.DATA, c.serving().clock());
    assertEquals(Path.of("models"), c.modelsDir());
  }

  @Test
  void load_envOverrides_bindEveryKey() {
    Map<String, String> env =
        Map.ofEntries(
            Map.entry("FUNNEL_HTTP_HOST", "0.0.0.0"),
            Map.entry("FUNNEL_HTTP_PORT", "9090"),
            Map.entry("FUNNEL_HTTP_INSTANCES", "3"),
            Map.entry("FUNNEL_HTTP_MAX_BODY_BYTES", "1024"),
            Map.entry("FUNNEL_HTTP_MAX_HEADER_BYTES", "2048"),
            Map.entry("FUNNEL_HTTP_ADMIN_TOKEN", "0123456789abcdef"),
            Map.entry("FUNNEL_REDIS_URL", ""),
            Map.entry("FUNNEL_REDIS_MODE", "sentinel"),
            Map.entry("FUNNEL_REDIS_ENDPOINTS", "redis://10.0.0.1:26379, redis://10.0.0.2:26379"),
            Map.entry("FUNNEL_REDIS_MASTER_NAME", "funnel"),
            Map.entry("FUNNEL_REDIS_READ_FROM", "replica"),
            Map.entry("FUNNEL_REDIS_WAIT_REPLICAS", "1"),
            Map.entry("FUNNEL_REDIS_WAIT_TIMEOUT_MS", "250"),
            Map.entry("FUNNEL_REDIS_KEY_PREFIX", "x:"),
            Map.entry("FUNNEL_REDIS_POOL_SIZE", "7"),
            Map.entry("FUNNEL_REDIS_POOL_MAX_WAITING", "70"),
            Map.entry("FUNNEL_REDIS_MAX_WAITING_HANDLERS", "700"),
            Map.entry("FUNNEL_REDIS_TIMEOUT_MS", "33"),
            Map.entry("FUNNEL_REDIS_BREAKER_MAX_FAILURES", "4"),
            Map.entry("FUNNEL_REDIS_BREAKER_RESET_MS", "500"),
            Map.entry("FUNNEL_REDIS_EVENT_KEY_PREFIX", "y:"),
            Map.entry("FUNNEL_REDIS_EVENT_ID_TTL_SECONDS", "60"),
            Map.entry("FUNNEL_MODELS_DIR", "/srv/models"),
            Map.entry("FUNNEL_INFERENCE_WORKERS", "5"),
            Map.entry("FUNNEL_INFERENCE_MAX_PENDING", "50"),
            Map.entry("FUNNEL_INFERENCE_DEVICE", "cpu"),
            Map.entry("FUNNEL_INFERENCE_INDEX", "exact"),
            Map.entry("FUNNEL_INFERENCE_INDEX_BEAM", "600"),
            Map.entry("FUNNEL_SERVING_CANDIDATES", "100"),
            Map.entry("FUNNEL_SERVING_DEFAULT_COUNT", "10"),
            Map.entry("FUNNEL_SERVING_MAX_COUNT", "40"),
            Map.entry("FUNNEL_SERVING_DEADLINE_MS", "99"),
            Map.entry("FUNNEL_SERVING_CLOCK", "wall"),
            Map.entry("FUNNEL_SERVING_MAX_PER_TOPIC", "3"),
            Map.entry("FUNNEL_HTTP_DRAIN_DELAY_MS", "2500"),
            Map.entry("FUNNEL_FLEET_REPLICA_ID", "r-1"),
            Map.entry("FUNNEL_FLEET_CANARY", "true"),
            Map.entry("FUNNEL_FLEET_POLL_MS", "250"),
            Map.entry("FUNNEL_FLEET_KEY_PREFIX", "m:"),
            Map.entry("FUNNEL_EVENTS_MODE", "kafka"),
            Map.entry("FUNNEL_EVENTS_KAFKA_BOOTSTRAP", "k1:9092,k2:9092"),
            Map.entry("FUNNEL_EVENTS_KAFKA_TOPIC", "ev"),
            Map.entry("FUNNEL_EVENTS_KAFKA_GROUP", "g"),
            Map.entry("FUNNEL_EVENTS_KAFKA_CONSUME", "false"),
            Map.entry("FUNNEL_EVENTS_KAFKA_TIMEOUT_MS", "1500"),
            Map.entry("FUNNEL_EVENTS_KAFKA_PARTITIONS", "6"),
            Map.entry("FUNNEL_EVENTS_KAFKA_RETRY_MAX_MS", "900"),
            Map.entry("FUNNEL_JAVA_OPTS", "-Xmx1g")); // the launcher's own: ignored
    assertEquals(ConfigKey.values().length, env.size() - 1, "every key has an override here");
    FunnelConfig c = FunnelConfig.load(null, env, Map.of());
    assertEquals(
        new HttpConfig("0.0.0.0", 9090, 3, 1024, 2048, "0123456789abcdef", 2500), c.http());
    assertEquals(
        new RedisConfig(
            "",
            "x:",
            7,
            70,
            700,
            33,
            4,
            500,
            "y:",
            60,
            RedisConfig.Mode.SENTINEL,
            List.of("redis://10.0.0.1:26379", "redis://10.0.0.2:26379"),
            "funnel",
            RedisConfig.ReadFrom.REPLICA,
            1,
            250),
        c.redis());
    assertEquals(Path.of("/srv/models"), c.modelsDir());
    assertEquals(
        new InferenceConfig(
            5, 50, InferenceConfig.Device.CPU, InferenceConfig.IndexType.EXACT, 600),
        c.inference());
    assertEquals(new ServingConfig(100, 10, 40, 99, ServingConfig.ClockMode.WALL, 3), c.serving());
    assertEquals(new FleetConfig("r-1", true, 250, "m:"), c.fleet());
    assertEquals(
        new EventsConfig(
            EventsConfig.Mode.KAFKA, List.of("k1:9092", "k2:9092"), "ev", "g", false, 1500, 6, 900),
        c.events());
  }

  @Test
  void load_badDeviceOrIndex_failsNamingTheKey() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> FunnelConfig.load(null, Map.of("FUNNEL_INFERENCE_DEVICE", "tpu"), Map.of()));
    assertTrue(e.getMessage().contains("inference.device"), e.getMessage());
    assertTrue(e.getMessage().contains("auto, cpu, gpu"), e.getMessage());
    assertThrows(
        ConfigException.class,
        () -> FunnelConfig.load(null, Map.of(), Map.of("inference.index", "hnsw")));
  }

  @Test
  void load_precedence_isDefaultThenFileThenEnvThenFlags() throws IOException {
    Path file = dir.resolve("funnel.properties");
    Files.writeString(file, "http.port = 7000\nhttp.host = 10.1.1.1\nserving.default-count=5\n");
    FunnelConfig c =
        FunnelConfig.load(
            file,
            Map.of("FUNNEL_HTTP_PORT", "7001", "FUNNEL_SERVING_DEFAULT_COUNT", "6"),
            Map.of("http.port", "7002"));
    assertEquals(7002, c.http().port());
    assertEquals("10.1.1.1", c.http().host());
    assertEquals(6, c.serving().defaultCount());
    assertEquals(300, c.serving().candidates());
  }

  @Test
  void load_shippedConfFile_isValidAndDocumentsEveryKey() throws IOException {
    Path conf = Path.of("conf/funnel.properties");
    FunnelConfig.load(conf, Map.of(), Map.of());
    Properties p = new Properties();
    try (var r = Files.newBufferedReader(conf)) {
      p.load(r);
    }
    java.util.List<String> lines = Files.readAllLines(conf);
    for (ConfigKey k : ConfigKey.values()) {
      assertTrue(p.containsKey(k.key()), "conf/funnel.properties lacks " + k.key());
      String shipped = p.getProperty(k.key()).trim();
      assertEquals(k.defaultValue(), shipped, k.key() + ": file and code defaults differ");
      int at = -1;
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).startsWith(k.key() + " ")) {
          at = i;
        }
      }
      assertTrue(at > 0 && lines.get(at - 1).startsWith("#"), k.key() + " has no comment above it");
    }
  }

  @Test
  void load_badPort_stopsWithKeyAndSource() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> FunnelConfig.load(null, Map.of("FUNNEL_HTTP_PORT", "80x"), Map.of()));
    assertTrue(e.getMessage().contains("http.port"), e.getMessage());
    assertTrue(e.getMessage().contains("FUNNEL_HTTP_PORT"), e.getMessage());
  }

  @Test
  void load_outOfRangeAndInconsistentValues_throw() {
    assertThrows(ConfigException.class, () -> load("http.port", "70000"));
    assertThrows(ConfigException.class, () -> load("redis.pool-size", "0"));
    assertThrows(ConfigException.class, () -> load("redis.url", "http://x"));
    assertThrows(ConfigException.class, () -> load("serving.clock", "sundial"));
    assertThrows(ConfigException.class, () -> load("serving.default-count", "501"));
    assertThrows(ConfigException.class, () -> load("serving.deadline-ms", "-1"));
    assertThrows(ConfigException.class, () -> load("serving.max-per-topic", "-1"));
    assertThrows(ConfigException.class, () -> load("http.admin-token", "short"));
    assertThrows(ConfigException.class, () -> load("redis.event-key-prefix", "funnel:u:x"));
    assertThrows(ConfigException.class, () -> load("redis.breaker-max-failures", "0"));
    assertThrows(ConfigException.class, () -> load("http.host", ""));
    assertThrows(ConfigException.class, () -> load("http.drain-delay-ms", "-1"));
    assertThrows(ConfigException.class, () -> load("fleet.canary", "yes"));
    assertThrows(ConfigException.class, () -> load("fleet.poll-ms", "0"));
    assertThrows(ConfigException.class, () -> load("fleet.key-prefix", ""));
    assertThrows(ConfigException.class, () -> load("fleet.replica-id", "a b"));
    assertThrows(ConfigException.class, () -> load("fleet.replica-id", "../r1"));
  }

  @Test
  void load_unknownKeyInFile_throws() throws IOException {
    Path file = dir.resolve("typo.properties");
    Files.writeString(file, "http.prot = 9000\n");
    ConfigException e =
        assertThrows(ConfigException.class, () -> FunnelConfig.load(file, Map.of(), Map.of()));
    assertTrue(e.getMessage().contains("http.prot"));
  }

  @Test
  void load_missingFile_throws() {
    assertThrows(
        ConfigException.class,
        () -> FunnelConfig.load(dir.resolve("absent.properties"), Map.of(), Map.of()));
  }

  @Test
  void load_eventsKeys_defaultDirectAndKafkaNeedsABroker() {
    assertEquals(EventsConfig.Mode.DIRECT, FunnelConfig.defaults().events().mode());
    EventsConfig k =
        FunnelConfig.load(
                null,
                Map.of("FUNNEL_EVENTS_KAFKA_BOOTSTRAP", "127.0.0.1:9092, kafka-2:9093"),
                Map.of("events.mode", "kafka"))
            .events();
    assertTrue(k.kafka());
    assertEquals("127.0.0.1:9092,kafka-2:9093", k.bootstrapServers());
    assertTrue(k.consume());
    assertEquals("funnel-events", k.topic());
    ConfigException missing =
        assertThrows(ConfigException.class, () -> load("events.mode", "kafka"));
    assertTrue(missing.getMessage().contains("events.kafka.bootstrap"), missing.getMessage());
    for (String[] bad :
        new String[][] {
          {"events.mode", "queue"},
          {"events.kafka.bootstrap", "kafka://x:1"},
          {"events.kafka.bootstrap", "host-without-port"},
          {"events.kafka.topic", "a topic"},
          {"events.kafka.timeout-ms", "0"},
          {"events.kafka.consume", "yes"}
        }) {
      ConfigException e = assertThrows(ConfigException.class, () -> load(bad[0], bad[1]));
      assertTrue(e.getMessage().contains(bad[0]), e.getMessage());
    }
  }

  private static FunnelConfig load(String key, String value) {
    return FunnelConfig.load(null, Map.of(), Map.of(key, value));
  }

  @Test
  void load_standaloneUrl_isTodaysBehaviour() {
    RedisConfig r =
        FunnelConfig.load(null, Map.of(), Map.of("redis.url", "redis://127.0.0.1:6390")).redis();
    assertEquals(RedisConfig.Mode.STANDALONE, r.mode());
    assertEquals(List.of(), r.endpoints());
    assertEquals("redis://127.0.0.1:6390", r.target());
  }

  @Test
  void load_clusterMode_readsSeedEndpoints() {
    RedisConfig r =
        FunnelConfig.load(
                null,
                Map.of(),
                Map.of(
                    "redis.mode", "CLUSTER",
                    "redis.endpoints", "redis://127.0.0.1:7000,,redis://127.0.0.1:7001 "))
            .redis();
    assertEquals(RedisConfig.Mode.CLUSTER, r.mode());
    assertEquals(List.of("redis://127.0.0.1:7000", "redis://127.0.0.1:7001"), r.endpoints());
    assertTrue(!r.embedded());
  }

  @Test
  void load_inconsistentRedisModes_throwNamingTheKey() {
    String sentinels = "redis://127.0.0.1:26379";
    Map<Map<String, String>, String> cases =
        Map.of(
            Map.of("redis.mode", "sentinel", "redis.endpoints", sentinels),
            "redis.master-name",
            Map.of("redis.mode", "sentinel", "redis.master-name", "m"),
            "redis.endpoints",
            Map.of(
                "redis.mode", "cluster",
                "redis.endpoints", sentinels,
                "redis.url", "redis://127.0.0.1:6379"),
            "redis.url",
            Map.of("redis.endpoints", sentinels),
            "redis.endpoints",
            Map.of("redis.read-from", "replica"),
            "redis.read-from",
            Map.of("redis.mode", "cluster", "redis.endpoints", "127.0.0.1:7000"),
            "redis.endpoints",
            Map.of("redis.mode", "cluster", "redis.endpoints", sentinels, "redis.key-prefix", "u{"),
            "redis.key-prefix",
            Map.of("redis.mode", "replicated"),
            "redis.mode",
            Map.of("redis.master-name", "m"),
            "redis.master-name",
            Map.of("redis.wait-timeout-ms", "5000"),
            "redis.wait-timeout-ms");
    for (Map.Entry<Map<String, String>, String> c : cases.entrySet()) {
      ConfigException e =
          assertThrows(
              ConfigException.class,
              () -> FunnelConfig.load(null, Map.of(), c.getKey()),
              c.getKey().toString());
      assertTrue(
          e.getMessage().startsWith("configuration " + c.getValue() + " "),
          c.getKey() + " -> " + e.getMessage());
    }
  }
}
