package dev.funnel.config;

import java.util.List;

/**
 * @param url {@code redis://host:port[/db]} in standalone mode; empty = the embedded in-process
 *     store (and always empty in sentinel and cluster modes, which use {@code endpoints})
 * @param keyPrefix prefix of the per-user key, e.g. {@code funnel:u:}
 * @param poolSize pooled connections (per node in cluster mode)
 * @param poolMaxWaiting requests that may wait for a pooled connection
 * @param maxWaitingHandlers pipelined commands in flight per connection
 * @param timeoutMs a profile read slower than this fails (and the request degrades)
 * @param breakerMaxFailures consecutive failures that open the circuit breaker
 * @param breakerResetMs how long an open breaker waits before a trial call
 * @param eventKeyPrefix prefix of the keys marking applied event ids
 * @param eventIdTtlSeconds how long an applied event id is remembered
 * @param mode one server, a Sentinel-watched master, or a Redis Cluster
 * @param endpoints sentinel or cluster seed URLs (empty in standalone mode)
 * @param masterName the Sentinel master set name (empty unless sentinel mode)
 * @param readFrom where profile reads go
 * @param waitReplicas replicas that must acknowledge an event write before its 202; 0 = no WAIT
 * @param waitTimeoutMs how long the WAIT may block before the batch is answered 503
 */
public record RedisConfig(
    String url,
    String keyPrefix,
    int poolSize,
    int poolMaxWaiting,
    int maxWaitingHandlers,
    int timeoutMs,
    int breakerMaxFailures,
    int breakerResetMs,
    String eventKeyPrefix,
    int eventIdTtlSeconds,
    Mode mode,
    List<String> endpoints,
    String masterName,
    ReadFrom readFrom,
    int waitReplicas,
    int waitTimeoutMs) {

  /** How Funnel finds its Redis. */
  public enum Mode {
    STANDALONE,
    SENTINEL,
    CLUSTER
  }

  /** Which nodes serve profile reads; writes always go to a master. */
  public enum ReadFrom {
    MASTER,
    REPLICA
  }

  public RedisConfig {
    endpoints = List.copyOf(endpoints);
  }

  /** A standalone configuration (no replicas awaited), as before sentinel and cluster existed. */
  public RedisConfig(
      String url,
      String keyPrefix,
      int poolSize,
      int poolMaxWaiting,
      int maxWaitingHandlers,
      int timeoutMs,
      int breakerMaxFailures,
      int breakerResetMs,
      String eventKeyPrefix,
      int eventIdTtlSeconds) {
    this(
        url,
        keyPrefix,
        poolSize,
        poolMaxWaiting,
        maxWaitingHandlers,
        timeoutMs,
        breakerMaxFailures,
        breakerResetMs,
        eventKeyPrefix,
        eventIdTtlSeconds,
        Mode.STANDALONE,
        List.of(),
        "",
        ReadFrom.MASTER,
        0,
        500);
  }

  /** True when no Redis is configured and the embedded store is used. */
  public boolean embedded() {
    return mode == Mode.STANDALONE && url.isEmpty();
  }

  /** Where the store lives, for log lines and messages (no credentials are configured here). */
  public String target() {
    return switch (mode) {
      case STANDALONE -> url.isEmpty() ? "embedded" : url;
      case SENTINEL -> "sentinel master '" + masterName + "' via " + String.join(",", endpoints);
      case CLUSTER -> "cluster via " + String.join(",", endpoints);
    };
  }

  /** A standalone copy on {@code newUrl} (tests and the demo point at a private server). */
  public RedisConfig withUrl(String newUrl) {
    return new RedisConfig(
        newUrl,
        keyPrefix,
        poolSize,
        poolMaxWaiting,
        maxWaitingHandlers,
        timeoutMs,
        breakerMaxFailures,
        breakerResetMs,
        eventKeyPrefix,
        eventIdTtlSeconds,
        Mode.STANDALONE,
        List.of(),
        "",
        readFrom,
        waitReplicas,
        waitTimeoutMs);
  }

  /** A copy for a Sentinel set watching master {@code name}. */
  public RedisConfig withSentinel(String name, List<String> sentinels) {
    return new RedisConfig(
        "",
        keyPrefix,
        poolSize,
        poolMaxWaiting,
        maxWaitingHandlers,
        timeoutMs,
        breakerMaxFailures,
        breakerResetMs,
        eventKeyPrefix,
        eventIdTtlSeconds,
        Mode.SENTINEL,
        sentinels,
        name,
        readFrom,
        waitReplicas,
        waitTimeoutMs);
  }

  /** A copy for a Redis Cluster reached through {@code seeds}. */
  public RedisConfig withCluster(List<String> seeds) {
    return new RedisConfig(
        "",
        keyPrefix,
        poolSize,
        poolMaxWaiting,
        maxWaitingHandlers,
        timeoutMs,
        breakerMaxFailures,
        breakerResetMs,
        eventKeyPrefix,
        eventIdTtlSeconds,
        Mode.CLUSTER,
        seeds,
        "",
        readFrom,
        waitReplicas,
        waitTimeoutMs);
  }

  public RedisConfig withKeyPrefix(String prefix) {
    return new RedisConfig(
        url,
        prefix,
        poolSize,
        poolMaxWaiting,
        maxWaitingHandlers,
        timeoutMs,
        breakerMaxFailures,
        breakerResetMs,
        eventKeyPrefix,
        eventIdTtlSeconds,
        mode,
        endpoints,
        masterName,
        readFrom,
        waitReplicas,
        waitTimeoutMs);
  }

  public RedisConfig withEventKeyPrefix(String prefix) {
    return new RedisConfig(
        url,
        keyPrefix,
        poolSize,
        poolMaxWaiting,
        maxWaitingHandlers,
        timeoutMs,
        breakerMaxFailures,
        breakerResetMs,
        prefix,
        eventIdTtlSeconds,
        mode,
        endpoints,
        masterName,
        readFrom,
        waitReplicas,
        waitTimeoutMs);
  }

  public RedisConfig withReadFrom(ReadFrom from) {
    return new RedisConfig(
        url,
        keyPrefix,
        poolSize,
        poolMaxWaiting,
        maxWaitingHandlers,
        timeoutMs,
        breakerMaxFailures,
        breakerResetMs,
        eventKeyPrefix,
        eventIdTtlSeconds,
        mode,
        endpoints,
        masterName,
        from,
        waitReplicas,
        waitTimeoutMs);
  }

  public RedisConfig withWait(int replicas, int timeoutMillis) {
    return new RedisConfig(
        url,
        keyPrefix,
        poolSize,
        poolMaxWaiting,
        maxWaitingHandlers,
        timeoutMs,
        breakerMaxFailures,
        breakerResetMs,
        eventKeyPrefix,
        eventIdTtlSeconds,
        mode,
        endpoints,
        masterName,
        readFrom,
        replicas,
        timeoutMillis);
  }
}
