package dev.funnel.features;

import dev.funnel.config.RedisConfig;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisClusterTransactions;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisReplicas;
import io.vertx.redis.client.RedisRole;

/**
 * Client options for the configured Redis, whatever its mode, so that every part of Funnel that
 * talks to Redis (the feature store, the fleet rollout, {@code ./funnel rollout}) reaches the same
 * master: the one URL (standalone), the master the sentinels name (sentinel), or the cluster.
 */
public final class RedisClients {
  private RedisClients() {}

  /**
   * Options for writes and strongly consistent reads (the master; in a cluster, the slot owner).
   */
  public static RedisOptions options(RedisConfig config) {
    RedisOptions options =
        new RedisOptions()
            .setMaxPoolSize(config.poolSize())
            .setMaxPoolWaiting(config.poolMaxWaiting())
            .setMaxWaitingHandlers(config.maxWaitingHandlers());
    switch (config.mode()) {
      case STANDALONE -> options.setConnectionString(config.url());
      case SENTINEL -> {
        options.setType(RedisClientType.SENTINEL).setMasterName(config.masterName());
        config.endpoints().forEach(options::addConnectionString);
        options.setRole(RedisRole.MASTER);
      }
      case CLUSTER -> {
        options
            .setType(RedisClientType.CLUSTER)
            // WATCH..EXEC on one node: every key of a transaction shares the user's hash tag
            .setClusterTransactions(RedisClusterTransactions.SINGLE_NODE)
            .setUseReplicas(
                config.readFrom() == RedisConfig.ReadFrom.REPLICA
                    ? RedisReplicas.ALWAYS
                    : RedisReplicas.NEVER);
        config.endpoints().forEach(options::addConnectionString);
      }
    }
    return options;
  }

  /**
   * Whether a plain connection can SUBSCRIBE: not through the cluster client, which routes each
   * command by key (callers there rely on polling alone).
   */
  public static boolean subscribes(RedisConfig config) {
    return config.mode() != RedisConfig.Mode.CLUSTER;
  }
}
