package dev.funnel.config;

import java.util.List;
import java.util.Locale;

/**
 * Every configuration key, its default and what it means: the single list that the loader, the
 * {@code FUNNEL_*} environment binding and the documentation test read. {@code
 * conf/funnel.properties} repeats each key with a comment; {@code ConfigKeyTest} checks that they
 * agree.
 */
public enum ConfigKey {
  HTTP_HOST("http.host", "127.0.0.1", "interface the HTTP server binds to"),
  HTTP_PORT("http.port", "8080", "TCP port, 0 = any free port"),
  HTTP_INSTANCES("http.instances", "0", "HTTP verticle instances (event loops); 0 = one per core"),
  HTTP_MAX_BODY_BYTES(
      "http.max-body-bytes", "65536", "largest accepted request body in bytes (413 above)"),
  HTTP_MAX_HEADER_BYTES(
      "http.max-header-bytes",
      "8192",
      "largest request header block in bytes (request line at most 4096); larger = 431/414"),
  HTTP_ADMIN_TOKEN(
      "http.admin-token",
      "",
      "bearer token for /admin/*; empty = admin endpoints off (404). Use 16+ characters"),
  HTTP_DRAIN_DELAY_MS(
      "http.drain-delay-ms",
      "3000",
      "on SIGTERM, /ready answers 503 this long (balancer: fall x inter + inter) while serving"),
  REDIS_URL(
      "redis.url",
      "",
      "redis://host:port/db of the feature store; empty = embedded in-process store"),
  REDIS_MODE(
      "redis.mode",
      "standalone",
      "standalone = redis.url; sentinel = a master found through redis.endpoints (sentinels);"
          + " cluster = a Redis Cluster reached through redis.endpoints (seed nodes)"),
  REDIS_ENDPOINTS(
      "redis.endpoints",
      "",
      "comma-separated redis://host:port of the sentinels (sentinel) or seed nodes (cluster)"),
  REDIS_MASTER_NAME(
      "redis.master-name", "", "the master set name the sentinels watch (sentinel mode only)"),
  REDIS_READ_FROM(
      "redis.read-from",
      "master",
      "master; replica = profile reads go to replicas (sentinel or cluster), writes to masters"),
  REDIS_WAIT_REPLICAS(
      "redis.wait-replicas",
      "0",
      "replicas that must acknowledge an event write (WAIT) before its 202; 0 = no WAIT"),
  REDIS_WAIT_TIMEOUT_MS(
      "redis.wait-timeout-ms",
      "500",
      "how long WAIT may block; fewer replicas by then = 503 + Retry-After"),
  REDIS_KEY_PREFIX(
      "redis.key-prefix", "funnel:u:", "prefix of the one key per user that holds the profile"),
  REDIS_POOL_SIZE(
      "redis.pool-size",
      "16",
      "pooled Redis connections (vertx-redis-client default 6 is too small)"),
  REDIS_POOL_MAX_WAITING(
      "redis.pool-max-waiting",
      "4096",
      "requests that may wait for a pooled connection (default 24 fails under load)"),
  REDIS_MAX_WAITING_HANDLERS(
      "redis.max-waiting-handlers", "4096", "pipelined commands in flight per connection"),
  REDIS_TIMEOUT_MS(
      "redis.timeout-ms",
      "20",
      "a profile read slower than this counts as failed and the request degrades"),
  REDIS_BREAKER_MAX_FAILURES(
      "redis.breaker-max-failures",
      "5",
      "consecutive store failures that open the circuit breaker (calls then fail at once)"),
  REDIS_BREAKER_RESET_MS(
      "redis.breaker-reset-ms",
      "1000",
      "milliseconds an open breaker waits before letting one trial call through"),
  REDIS_EVENT_KEY_PREFIX(
      "redis.event-key-prefix",
      "funnel:ev:",
      "prefix of the keys that mark applied event ids (idempotency)"),
  REDIS_EVENT_ID_TTL_SECONDS(
      "redis.event-id-ttl-seconds",
      "86400",
      "how long an applied event id is remembered; a retry within it is a duplicate"),
  MODELS_DIR(
      "models.dir", "models", "a model version directory, or a models root with a LATEST file"),
  INFERENCE_WORKERS(
      "inference.workers",
      "0",
      "inference worker threads, each with its own predictors; 0 = one per core"),
  INFERENCE_MAX_PENDING(
      "inference.max-pending",
      "256",
      "requests admitted (feature read, queued or on a worker) before 503 + Retry-After"),
  INFERENCE_DEVICE(
      "inference.device",
      "auto",
      "auto = a GPU when CUDA natives and a device are present, else cpu; cpu; gpu"),
  INFERENCE_INDEX(
      "inference.index",
      "auto",
      "auto = the model's persisted ANN graph if it has one, else exact; exact; ann"),
  INFERENCE_INDEX_BEAM(
      "inference.index-beam",
      "0",
      "ANN search beam (recall vs time); 0 = the value saved with the graph"),
  SERVING_CANDIDATES(
      "serving.candidates", "300", "K: candidates taken from the index and scored by the ranker"),
  SERVING_DEFAULT_COUNT("serving.default-count", "20", "N returned when a request gives no count"),
  SERVING_MAX_COUNT("serving.max-count", "500", "largest count a request may ask for (400 above)"),
  SERVING_DEADLINE_MS(
      "serving.deadline-ms",
      "50",
      "request deadline in milliseconds; late stages are cut and the answer degrades"),
  SERVING_CLOCK(
      "serving.clock",
      "data",
      "data = now is the model's data end plus time since start; wall = system clock"),
  SERVING_MAX_PER_TOPIC(
      "serving.max-per-topic",
      "8",
      "home feed variety: at most this many videos of one topic per list; 0 = no cap"),
  FLEET_REPLICA_ID(
      "fleet.replica-id",
      "",
      "this replica's name in a fleet rollout; empty = no rollout (needs redis.url)"),
  FLEET_CANARY(
      "fleet.canary",
      "false",
      "true = this replica loads the desired version first and approves it for the rest"),
  FLEET_POLL_MS(
      "fleet.poll-ms", "1000", "how often a replica reads the desired version (pub/sub nudges)"),
  FLEET_KEY_PREFIX(
      "fleet.key-prefix",
      "funnel:model:",
      "prefix of the rollout keys: desired, approved, replicas, and the nudge channel"),
  EVENTS_MODE(
      "events.mode",
      "direct",
      "direct = POST /v1/events writes the store before its 202; kafka = the 202 comes on the"
          + " broker's ack and a consumer group applies the topic (docs/events-kafka.md)"),
  EVENTS_KAFKA_BOOTSTRAP(
      "events.kafka.bootstrap",
      "",
      "comma-separated host:port of Kafka brokers; required in events.mode = kafka"),
  EVENTS_KAFKA_TOPIC("events.kafka.topic", "funnel-events", "the events topic, keyed by user id"),
  EVENTS_KAFKA_GROUP(
      "events.kafka.group",
      "funnel-events-apply",
      "consumer group that applies the topic to the feature store (one group spans replicas)"),
  EVENTS_KAFKA_CONSUME(
      "events.kafka.consume",
      "true",
      "true = this process is a member of the applying group; false = it only produces"),
  EVENTS_KAFKA_TIMEOUT_MS(
      "events.kafka.timeout-ms",
      "2000",
      "longest wait for the broker's ack of a batch; then 503 + Retry-After"),
  EVENTS_KAFKA_PARTITIONS(
      "events.kafka.partitions",
      "12",
      "partitions of the topic when the server creates it (an existing topic is left as is)"),
  EVENTS_KAFKA_RETRY_MAX_MS(
      "events.kafka.retry-max-ms",
      "5000",
      "longest back-off between two attempts to apply records the store refused (no commit)");

  private final String key;
  private final String defaultValue;
  private final String doc;

  ConfigKey(String key, String defaultValue, String doc) {
    this.key = key;
    this.defaultValue = defaultValue;
    this.doc = doc;
  }

  /** The dotted name used in the file and in flags, e.g. {@code http.port}. */
  public String key() {
    return key;
  }

  public String defaultValue() {
    return defaultValue;
  }

  public String doc() {
    return doc;
  }

  /** The environment variable that overrides the key, e.g. {@code FUNNEL_HTTP_PORT}. */
  public String envName() {
    return "FUNNEL_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  public static ConfigKey byKey(String key) {
    for (ConfigKey k : values()) {
      if (k.key.equals(key)) {
        return k;
      }
    }
    return null;
  }

  public static List<String> keys() {
    return java.util.Arrays.stream(values()).map(ConfigKey::key).toList();
  }
}
