package dev.funnel.features;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.config.FunnelConfig;
import dev.funnel.config.RedisConfig;
import dev.funnel.events.UserEvent;
import dev.funnel.testing.RedisServer;
import dev.funnel.testing.RedisServerExtension;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxTestContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RedisServerExtension.class)
class RedisFeatureStoreTest extends FeatureStoreContract {
  private final RedisServer redis;
  private String prefix;

  RedisFeatureStoreTest(RedisServer redis) {
    this.redis = redis;
  }

  @Override
  protected FeatureStore newStore(Vertx vertx, String keyPrefix) {
    prefix = keyPrefix;
    return RedisFeatureStore.create(
        vertx,
        config(redis.url())
            .withKeyPrefix(keyPrefix)
            .withEventKeyPrefix(keyPrefix.replace(":u:", ":ev:")));
  }

  private static RedisConfig config(String url) {
    return FunnelConfig.defaults().redis().withUrl(url);
  }

  @Test
  void get_corruptValue_failsTheFuture(Vertx vertx, VertxTestContext ctx) {
    Redis raw = Redis.createClient(vertx, redis.url());
    raw.send(Request.cmd(Command.SET).arg(prefix + "bad").arg(Buffer.buffer(new byte[] {42, 1, 2})))
        .compose(r -> store.get("bad"))
        .eventually(raw::close)
        .onComplete(
            ctx.failing(
                e ->
                    ctx.verify(
                        () -> {
                          assertTrue(e.getMessage().contains("corrupt profile"));
                          ctx.completeNow();
                        })));
  }

  @Test
  void applyEvents_appliedEventId_expiresAfterTtl(Vertx vertx) {
    Redis raw = Redis.createClient(vertx, redis.url());
    store.applyEvents(List.of(UserEvent.watch(run + "-ttl", "ttl-" + run, "v1", 1, 1))).await();
    long ttl =
        raw.send(Request.cmd(Command.TTL).arg(prefix.replace(":u:", ":ev:") + run + "-ttl"))
            .await()
            .toLong();
    raw.close();
    assertTrue(ttl > 86_000 && ttl <= 86_400, "ttl " + ttl);
  }

  @Test
  void applyEvents_nothingListening_fails(Vertx vertx, VertxTestContext ctx) throws Exception {
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    FeatureStore down = RedisFeatureStore.create(vertx, config("redis://127.0.0.1:" + closedPort));
    down.applyEvents(List.of(UserEvent.watch("x", "y", "v1", 1, 1)))
        .eventually(down::close)
        .onComplete(ctx.failingThenComplete());
  }

  @Test
  void ping_nothingListening_fails(Vertx vertx, VertxTestContext ctx) throws Exception {
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    FeatureStore down = RedisFeatureStore.create(vertx, config("redis://127.0.0.1:" + closedPort));
    down.ping().eventually(down::close).onComplete(ctx.failingThenComplete());
  }
}
