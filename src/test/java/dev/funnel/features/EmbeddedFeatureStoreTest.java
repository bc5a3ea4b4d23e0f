package dev.funnel.features;

import io.vertx.core.Vertx;

class EmbeddedFeatureStoreTest extends FeatureStoreContract {
  @Override
  protected FeatureStore newStore(Vertx vertx, String keyPrefix) {
    return new EmbeddedFeatureStore();
  }
}
