package dev.funnel.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The whole configuration of a Funnel server: immutable, validated at construction time of {@link
 * #load}. Values come from, lowest precedence first: the defaults in {@link ConfigKey}, a
 * properties file ({@code conf/funnel.properties}), {@code FUNNEL_*} environment variables, and
 * flags. An unknown key in the file is an error (a typo must not silently keep a default); unknown
 * {@code FUNNEL_*} variables are ignored because the launcher uses some of its own (e.g. {@code
 * FUNNEL_JAVA_OPTS}).
 */
public record FunnelConfig(
    HttpConfig http,
    RedisConfig redis,
    Path modelsDir,
    InferenceConfig inference,
    ServingConfig serving,
    FleetConfig fleet,
    EventsConfig events) {

  /** Defaults only, as if no file, environment or flag were given. */
  public static FunnelConfig defaults() {
    return load(null, Map.of(), Map.of());
  }

  /**
   * Loads and validates a configuration.
   *
   * @param file a properties file, or null for none
   * @param env the environment (usually {@code System.getenv()}); only known {@code FUNNEL_*} names
   *     are read
   * @param flags overrides by dotted key (e.g. {@code http.port}), highest precedence
   * @throws ConfigException naming the key and the source when a value is bad or the file cannot be
   *     read
   */
  public static FunnelConfig load(Path file, Map<String, String> env, Map<String, String> flags) {
    Map<ConfigKey, String> values = new EnumMap<>(ConfigKey.class);
    Map<ConfigKey, String> sources = new EnumMap<>(ConfigKey.class);
    for (ConfigKey k : ConfigKey.values()) {
      values.put(k, k.defaultValue());
      sources.put(k, "default");
    }
    if (file != null) {
      for (Map.Entry<String, String> e : readFile(file).entrySet()) {
        ConfigKey k = ConfigKey.byKey(e.getKey());
        if (k == null) {
          throw new ConfigException(
              file + ": unknown key '" + e.getKey() + "' (known: " + ConfigKey.keys() + ")");
        }
        values.put(k, e.getValue().trim());
        sources.put(k, file.toString());
      }
    }
    for (ConfigKey k : ConfigKey.values()) {
      String v = env.get(k.envName());
      if (v != null) {
        values.put(k, v.trim());
        sources.put(k, "environment " + k.envName());
      }
    }
    for (Map.Entry<String, String> e : flags.entrySet()) {
      ConfigKey k = ConfigKey.byKey(e.getKey());
      if (k == null) {
        throw new ConfigException("unknown configuration key '" + e.getKey() + "'");
      }
      if (e.getValue() != null) {
        values.put(k, e.getValue().trim());
        sources.put(k, "flag");
      }
    }
    return new Parser(values, sources).build();
  }

  /**
   * The configuration file to read: {@code explicit} when given (it must exist), else {@code
   * conf/funnel.properties} under the {@code funnel.home} system property (set by the launcher),
   * else under the working directory, else none (null: defaults, environment and flags only).
   */
  public static Path locateFile(Path explicit) {
    if (explicit != null) {
      if (!Files.isRegularFile(explicit)) {
        throw new ConfigException("configuration file " + explicit + " does not exist");
      }
      return explicit;
    }
    String home = System.getProperty("funnel.home");
    if (home != null) {
      Path p = Path.of(home, "conf", "funnel.properties");
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    Path local = Path.of("conf", "funnel.properties");
    return Files.isRegularFile(local) ? local : null;
  }

  /** A copy with a different port (tests and the demo start on port 0). */
  public FunnelConfig withPort(int port) {
    return new FunnelConfig(
        http.withPort(port), redis, modelsDir, inference, serving, fleet, events);
  }

  public FunnelConfig withRedis(RedisConfig newRedis) {
    return new FunnelConfig(http, newRedis, modelsDir, inference, serving, fleet, events);
  }

  public FunnelConfig withModelsDir(Path dir) {
    return new FunnelConfig(http, redis, dir, inference, serving, fleet, events);
  }

  /** The effective values as key → value, for the start-up log line. */
  public Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("http", http);
    m.put("redis", redis.embedded() ? "embedded" : redis);
    m.put("models", modelsDir);
    m.put("inference", inference);
    m.put("serving", serving);
    m.put("fleet", fleet);
    m.put("events", events);
    return m;
  }

  private static Map<String, String> readFile(Path file) {
    Properties props = new Properties();
    try (java.io.Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      props.load(reader);
    } catch (IOException e) {
      throw new ConfigException(
          "cannot read configuration file " + file + ": " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("malformed configuration file " + file + ": " + e.getMessage(), e);
    }
    Map<String, String> m = new LinkedHashMap<>();
    for (String name : props.stringPropertyNames()) {
      m.put(name, props.getProperty(name));
    }
    return m;
  }

  /** Parses and range-checks the merged string values; every message names key and source. */
  private static final class Parser {
    private final Map<ConfigKey, String> values;
    private final Map<ConfigKey, String> sources;
    private final int cores = Runtime.getRuntime().availableProcessors();

    Parser(Map<ConfigKey, String> values, Map<ConfigKey, String> sources) {
      this.values = values;
      this.sources = sources;
    }

    FunnelConfig build() {
      String host = string(ConfigKey.HTTP_HOST);
      if (host.isEmpty()) {
        throw bad(ConfigKey.HTTP_HOST, "must not be empty");
      }
      int instances = integer(ConfigKey.HTTP_INSTANCES, 0, 1024);
      HttpConfig http =
          new HttpConfig(
              host,
              integer(ConfigKey.HTTP_PORT, 0, 65535),
              instances == 0 ? cores : instances,
              integer(ConfigKey.HTTP_MAX_BODY_BYTES, 256, 64 * 1024 * 1024),
              integer(ConfigKey.HTTP_MAX_HEADER_BYTES, 1024, 1024 * 1024),
              adminToken(),
              integer(ConfigKey.HTTP_DRAIN_DELAY_MS, 0, 600_000));

      RedisConfig redis = redis();

      String models = string(ConfigKey.MODELS_DIR);
      if (models.isEmpty()) {
        throw bad(ConfigKey.MODELS_DIR, "must not be empty");
      }
      Path modelsDir;
      try {
        modelsDir = Path.of(models);
      } catch (java.nio.file.InvalidPathException e) {
        throw bad(ConfigKey.MODELS_DIR, "is not a path");
      }

      int workers = integer(ConfigKey.INFERENCE_WORKERS, 0, 1024);
      InferenceConfig inference =
          new InferenceConfig(
              workers == 0 ? cores : workers,
              integer(ConfigKey.INFERENCE_MAX_PENDING, 1, 1_000_000),
              choice(ConfigKey.INFERENCE_DEVICE, InferenceConfig.Device.class),
              choice(ConfigKey.INFERENCE_INDEX, InferenceConfig.IndexType.class),
              integer(ConfigKey.INFERENCE_INDEX_BEAM, 0, 100_000));

      int maxCount = integer(ConfigKey.SERVING_MAX_COUNT, 1, 10_000);
      int defaultCount = integer(ConfigKey.SERVING_DEFAULT_COUNT, 1, 10_000);
      if (defaultCount > maxCount) {
        throw bad(
            ConfigKey.SERVING_DEFAULT_COUNT,
            "must not exceed " + ConfigKey.SERVING_MAX_COUNT.key() + " (" + maxCount + ")");
      }
      ServingConfig serving =
          new ServingConfig(
              integer(ConfigKey.SERVING_CANDIDATES, 1, 100_000),
              defaultCount,
              maxCount,
              integer(ConfigKey.SERVING_DEADLINE_MS, 1, 600_000),
              clock(),
              integer(ConfigKey.SERVING_MAX_PER_TOPIC, 0, 10_000));
      return new FunnelConfig(http, redis, modelsDir, inference, serving, fleet(), events());
    }

    private EventsConfig events() {
      EventsConfig.Mode mode = choice(ConfigKey.EVENTS_MODE, EventsConfig.Mode.class);
      List<String> bootstrap = new ArrayList<>();
      for (String part : string(ConfigKey.EVENTS_KAFKA_BOOTSTRAP).split(",")) {
        String e = part.trim();
        if (e.isEmpty()) {
          continue;
        }
        int colon = e.lastIndexOf(':');
        if (colon <= 0 || !e.substring(colon + 1).matches("[0-9]{1,5}") || e.contains("/")) {
          throw bad(ConfigKey.EVENTS_KAFKA_BOOTSTRAP, "has '" + e + "', which is not host:port");
        }
        bootstrap.add(e);
      }
      if (mode == EventsConfig.Mode.KAFKA && bootstrap.isEmpty()) {
        throw bad(ConfigKey.EVENTS_KAFKA_BOOTSTRAP, "must list a broker in events.mode = kafka");
      }
      String topic = string(ConfigKey.EVENTS_KAFKA_TOPIC);
      // Kafka's own rule for topic names
      if (!topic.matches("[A-Za-z0-9._-]{1,249}") || topic.equals(".") || topic.equals("..")) {
        throw bad(ConfigKey.EVENTS_KAFKA_TOPIC, "must be 1..249 of letters, digits, '.', '_', '-'");
      }
      String group = string(ConfigKey.EVENTS_KAFKA_GROUP);
      if (group.isEmpty() || !group.chars().allMatch(c -> c > 32 && c < 127)) {
        throw bad(ConfigKey.EVENTS_KAFKA_GROUP, "must be printable ASCII without spaces");
      }
      return new EventsConfig(
          mode,
          bootstrap,
          topic,
          group,
          bool(ConfigKey.EVENTS_KAFKA_CONSUME),
          integer(ConfigKey.EVENTS_KAFKA_TIMEOUT_MS, 100, 60_000),
          integer(ConfigKey.EVENTS_KAFKA_PARTITIONS, 1, 10_000),
          integer(ConfigKey.EVENTS_KAFKA_RETRY_MAX_MS, 10, 600_000));
    }

    private FleetConfig fleet() {
      String id = string(ConfigKey.FLEET_REPLICA_ID);
      if (!id.isEmpty() && !FleetConfig.isName(id)) {
        throw bad(ConfigKey.FLEET_REPLICA_ID, "must be letters, digits, '.', '_', ':' or '-'");
      }
      String prefix = string(ConfigKey.FLEET_KEY_PREFIX);
      if (prefix.isEmpty()) {
        throw bad(ConfigKey.FLEET_KEY_PREFIX, "must not be empty");
      }
      return new FleetConfig(
          id, bool(ConfigKey.FLEET_CANARY), integer(ConfigKey.FLEET_POLL_MS, 10, 600_000), prefix);
    }

    private boolean bool(ConfigKey k) {
      String v = string(k).toLowerCase(Locale.ROOT);
      if (!v.equals("true") && !v.equals("false")) {
        throw bad(k, "must be true or false");
      }
      return v.equals("true");
    }

    private RedisConfig redis() {
      String url = string(ConfigKey.REDIS_URL);
      if (!url.isEmpty() && !isRedisUrl(url)) {
        throw bad(ConfigKey.REDIS_URL, "must start with redis:// or rediss:// (or be empty)");
      }
      String prefix = string(ConfigKey.REDIS_KEY_PREFIX);
      if (prefix.isEmpty()) {
        throw bad(ConfigKey.REDIS_KEY_PREFIX, "must not be empty");
      }
      RedisConfig.Mode mode = choice(ConfigKey.REDIS_MODE, RedisConfig.Mode.class);
      List<String> endpoints = endpoints();
      String masterName = string(ConfigKey.REDIS_MASTER_NAME);
      RedisConfig.ReadFrom readFrom = choice(ConfigKey.REDIS_READ_FROM, RedisConfig.ReadFrom.class);
      String modeName = mode.name().toLowerCase(Locale.ROOT);
      if (mode == RedisConfig.Mode.STANDALONE) {
        if (!endpoints.isEmpty()) {
          throw bad(
              ConfigKey.REDIS_ENDPOINTS,
              "is for redis.mode = sentinel or cluster; standalone uses "
                  + ConfigKey.REDIS_URL.key());
        }
        if (readFrom == RedisConfig.ReadFrom.REPLICA) {
          throw bad(ConfigKey.REDIS_READ_FROM, "= replica needs redis.mode = sentinel or cluster");
        }
      } else {
        if (!url.isEmpty()) {
          throw bad(
              ConfigKey.REDIS_URL,
              "must be empty in redis.mode = "
                  + modeName
                  + " (list the nodes in "
                  + ConfigKey.REDIS_ENDPOINTS.key()
                  + ")");
        }
        if (endpoints.isEmpty()) {
          throw bad(
              ConfigKey.REDIS_ENDPOINTS, "must list at least one node in redis.mode = " + modeName);
        }
      }
      if (mode == RedisConfig.Mode.SENTINEL) {
        if (masterName.isEmpty() || !masterName.chars().allMatch(c -> c > 32 && c < 127)) {
          throw bad(
              ConfigKey.REDIS_MASTER_NAME, "must name the master set in redis.mode = sentinel");
        }
      } else if (!masterName.isEmpty()) {
        throw bad(ConfigKey.REDIS_MASTER_NAME, "is for redis.mode = sentinel only");
      }
      String eventPrefix = eventPrefix(prefix);
      if (mode == RedisConfig.Mode.CLUSTER) {
        // Keys carry the user as a hash tag; a brace in a prefix would become the tag instead.
        for (ConfigKey k : List.of(ConfigKey.REDIS_KEY_PREFIX, ConfigKey.REDIS_EVENT_KEY_PREFIX)) {
          if (string(k).contains("{") || string(k).contains("}")) {
            throw bad(k, "must not contain '{' or '}' in redis.mode = cluster (hash tags)");
          }
        }
      }
      return new RedisConfig(
          url,
          prefix,
          integer(ConfigKey.REDIS_POOL_SIZE, 1, 1024),
          integer(ConfigKey.REDIS_POOL_MAX_WAITING, 1, 1_000_000),
          integer(ConfigKey.REDIS_MAX_WAITING_HANDLERS, 1, 1_000_000),
          integer(ConfigKey.REDIS_TIMEOUT_MS, 1, 60_000),
          integer(ConfigKey.REDIS_BREAKER_MAX_FAILURES, 1, 1_000_000),
          integer(ConfigKey.REDIS_BREAKER_RESET_MS, 10, 600_000),
          eventPrefix,
          integer(ConfigKey.REDIS_EVENT_ID_TTL_SECONDS, 1, 30 * 86_400),
          mode,
          endpoints,
          masterName,
          readFrom,
          integer(ConfigKey.REDIS_WAIT_REPLICAS, 0, 16),
          // below the event batch's own time limit, so a slow WAIT is answered 503, not lost
          integer(ConfigKey.REDIS_WAIT_TIMEOUT_MS, 1, 1_000));
    }

    private static boolean isRedisUrl(String s) {
      return s.startsWith("redis://") || s.startsWith("rediss://");
    }

    private List<String> endpoints() {
      List<String> out = new ArrayList<>();
      for (String part : string(ConfigKey.REDIS_ENDPOINTS).split(",")) {
        String e = part.trim();
        if (e.isEmpty()) {
          continue;
        }
        if (!isRedisUrl(e) || e.length() <= "rediss://".length()) {
          throw bad(
              ConfigKey.REDIS_ENDPOINTS,
              "has '" + e + "', which is not a redis://host:port or rediss://host:port URL");
        }
        out.add(e);
      }
      return out;
    }

    private String adminToken() {
      String token = string(ConfigKey.HTTP_ADMIN_TOKEN);
      // The message must not echo the value: it is a secret.
      if (!token.isEmpty()
          && (token.length() < 16 || !token.chars().allMatch(c -> c > 32 && c < 127))) {
        throw new ConfigException(
            "configuration "
                + ConfigKey.HTTP_ADMIN_TOKEN.key()
                + " (from "
                + sources.get(ConfigKey.HTTP_ADMIN_TOKEN)
                + ") must be at least 16 printable ASCII characters without spaces, or empty");
      }
      return token;
    }

    private String eventPrefix(String userPrefix) {
      String p = string(ConfigKey.REDIS_EVENT_KEY_PREFIX);
      if (p.isEmpty()) {
        throw bad(ConfigKey.REDIS_EVENT_KEY_PREFIX, "must not be empty");
      }
      // Ids never contain whitespace, so only equal or nested prefixes could collide.
      if (p.startsWith(userPrefix) || userPrefix.startsWith(p)) {
        throw bad(
            ConfigKey.REDIS_EVENT_KEY_PREFIX,
            "must not overlap " + ConfigKey.REDIS_KEY_PREFIX.key() + " ('" + userPrefix + "')");
      }
      return p;
    }

    private ServingConfig.ClockMode clock() {
      String v = string(ConfigKey.SERVING_CLOCK).toUpperCase(Locale.ROOT);
      try {
        return ServingConfig.ClockMode.valueOf(v);
      } catch (IllegalArgumentException e) {
        throw bad(ConfigKey.SERVING_CLOCK, "must be 'data' or 'wall'");
      }
    }

    private <E extends Enum<E>> E choice(ConfigKey k, Class<E> type) {
      String v = string(k).trim().toUpperCase(Locale.ROOT);
      try {
        return Enum.valueOf(type, v);
      } catch (IllegalArgumentException e) {
        StringBuilder names = new StringBuilder();
        for (E c : type.getEnumConstants()) {
          names.append(names.length() == 0 ? "" : ", ").append(c.name().toLowerCase(Locale.ROOT));
        }
        throw bad(k, "must be one of " + names);
      }
    }

    private String string(ConfigKey k) {
      return values.get(k);
    }

    private int integer(ConfigKey k, int min, int max) {
      String v = values.get(k);
      int n;
      try {
        n = Integer.parseInt(v);
      } catch (NumberFormatException e) {
        throw bad(k, "must be an integer");
      }
      if (n < min || n > max) {
        throw bad(k, "must be in " + min + ".." + max);
      }
      return n;
    }

    private ConfigException bad(ConfigKey k, String problem) {
      return new ConfigException(
          "configuration "
              + k.key()
              + " = '"
              + values.get(k)
              + "' (from "
              + sources.get(k)
              + ") "
              + problem
              + "; "
              + k.doc());
    }
  }
}
