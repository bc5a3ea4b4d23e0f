package dev.funnel.config;

/**
 * @param url {@code redis://host:port[/db]}; empty = the embedded in-process store
 * @param keyPrefix prefix of the per-user key, e.g. {@code funnel:u:}
 * @param poolSize pooled connections
 * @param poolMaxWaiting requests that may wait for a pooled connection
 * @param maxWaitingHandlers pipelined commands in flight per connection
 */
public record RedisConfig(
    String url, String keyPrefix, int poolSize, int poolMaxWaiting, int maxWaitingHandlers) {

  /** True when no Redis URL is set and the embedded store is used. */
  public boolean embedded() {
    return url.isEmpty();
  }

  public RedisConfig withUrl(String newUrl) {
    return new RedisConfig(newUrl, keyPrefix, poolSize, poolMaxWaiting, maxWaitingHandlers);
  }

  public RedisConfig withKeyPrefix(String prefix) {
    return new RedisConfig(url, prefix, poolSize, poolMaxWaiting, maxWaitingHandlers);
  }
}
