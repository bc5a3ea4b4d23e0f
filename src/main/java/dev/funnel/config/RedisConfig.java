package dev.funnel.config;

/**
 * @param url {@code redis://host:port[/db]}; empty = the embedded in-process store
 * @param keyPrefix prefix of the per-user key, e.g. {@code funnel:u:}
 * @param poolSize pooled connections
 * @param poolMaxWaiting requests that may wait for a pooled connection
 * @param maxWaitingHandlers pipelined commands in flight per connection
 * @param timeoutMs a profile read slower than this fails (and the request degrades)
 * @param breakerMaxFailures consecutive failures that open the circuit breaker
 * @param breakerResetMs how long an open breaker waits before a trial call
 * @param eventKeyPrefix prefix of the keys marking applied event ids
 * @param eventIdTtlSeconds how long an applied event id is remembered
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
    int eventIdTtlSeconds) {

  /** True when no Redis URL is set and the embedded store is used. */
  public boolean embedded() {
    return url.isEmpty();
  }

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
        eventIdTtlSeconds);
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
        eventIdTtlSeconds);
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
        eventIdTtlSeconds);
  }
}
