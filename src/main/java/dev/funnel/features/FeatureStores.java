package dev.funnel.features;

import dev.funnel.config.RedisConfig;
import io.vertx.core.Vertx;

/** Picks the {@link FeatureStore} implementation for a configuration. */
public final class FeatureStores {
  private FeatureStores() {}

  /** Redis when one is configured (any {@code redis.mode}), else a new, empty embedded store. */
  public static FeatureStore create(Vertx vertx, RedisConfig config) {
    return config.embedded() ? new EmbeddedFeatureStore() : RedisFeatureStore.create(vertx, config);
  }
}
