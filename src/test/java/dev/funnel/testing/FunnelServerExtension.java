package dev.funnel.testing;

import dev.funnel.app.FunnelServer;
import dev.funnel.config.FunnelConfig;
import dev.funnel.features.FeatureStore;
import dev.funnel.features.RedisFeatureStore;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.threadchecker.BlockedThreadEvent;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects a {@link RunningServer}: the real Funnel server over the {@link TestWorld}, with its
 * profiles loaded into a real redis-server under a random key prefix, listening on a free loopback
 * port. One per test JVM, closed when the tests end. Vert.x checks for blocked threads every 50 ms
 * with a 100 ms event-loop limit, and the events are recorded so tests can assert that none
 * happened (the event loop must never run DJL or index work).
 */
public final class FunnelServerExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(FunnelServerExtension.class);

  /** A started server and what tests need to check its answers. */
  public static final class RunningServer implements AutoCloseable {
    public final FunnelServer server;
    public final TestWorld world;
    public final FeatureStore store;
    private final Vertx vertx;
    private final List<BlockedThreadEvent> blocked;

    RunningServer(
        FunnelServer server,
        TestWorld world,
        FeatureStore store,
        Vertx vertx,
        List<BlockedThreadEvent> blocked) {
      this.server = server;
      this.world = world;
      this.store = store;
      this.vertx = vertx;
      this.blocked = blocked;
    }

    public String url(String path) {
      return "http://127.0.0.1:" + server.port() + path;
    }

    /** Blocked-thread events on event loops so far. */
    public List<BlockedThreadEvent> eventLoopBlocks() {
      return blocked.stream().filter(e -> e.thread().getName().contains("eventloop")).toList();
    }

    @Override
    public void close() throws Exception {
      server.close().eventually(store::close).eventually(vertx::close).await(30, TimeUnit.SECONDS);
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    return p.getParameter().getType() == RunningServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) {
    RedisServer redis = RedisServerExtension.shared(e);
    return e.getRoot()
        .getStore(NS)
        .getOrComputeIfAbsent("server", k -> start(redis), RunningServer.class);
  }

  /**
   * A cold JVM blocks an event loop once for 100-300 ms on its first buffer allocation (Netty's
   * allocator registers JFR event types) and on first-time class loading and lambda linking. That
   * is start-up cost, not request work, so a few requests on every route run before the blocked
   * thread events start to count.
   */
  private static void warmUp(FunnelServer server, TestWorld world) {
    String base = "http://127.0.0.1:" + server.port();
    String user = world.profiles.get(0).userId();
    String video = world.bundle.catalog().id(world.bundle.popular()[0]);
    for (int i = 0; i < 4; i++) {
      Http.get(base + "/v1/recommendations/" + user);
      Http.postJson(base + "/v1/recommendations", "{\"history\":[\"" + video + "\"]}");
      Http.get(base + "/v1/videos/" + video + "/related");
      Http.get(base + "/v1/recommendations/" + user + "?count=0");
      Http.get(base + "/ready");
    }
  }

  private static RunningServer start(RedisServer redis) {
    TestWorld world = TestWorld.get();
    Vertx vertx =
        Vertx.vertx(
            new VertxOptions()
                .setBlockedThreadCheckInterval(50)
                .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
                // 250 ms, not 100: on a loaded 2-core machine a 1-ms task preempted by the OS
                // once reported 106 ms with the loop already idle in epoll; a real blocking
                // call (file, model load, synchronous Redis) still shows up.
                .setMaxEventLoopExecuteTime(250)
                .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS));
    List<BlockedThreadEvent> events = new CopyOnWriteArrayList<>();
    ((VertxInternal) vertx)
        .blockedThreadChecker()
        .setThreadBlockedHandler(
            e -> {
              events.add(e);
              System.err.println(
                  "blocked thread: "
                      + e
                      + " at "
                      + List.of(e.thread().getStackTrace()).stream().limit(10).toList());
            });
    FunnelConfig config =
        TestConfig.server(
            "http.instances", "2",
            "inference.workers", "2",
            // the ANN graph even on this small world (auto would scan it exactly), so the
            // API tests and their blocked-thread checks cover the graph search path
            "inference.index", "ann",
            "redis.url", redis.url(),
            "redis.key-prefix", "test:" + UUID.randomUUID() + ":u:",
            // generous: the machine running the tests is shared and slow
            "serving.deadline-ms", "5000",
            "redis.timeout-ms", "2000");
    FeatureStore store = RedisFeatureStore.create(vertx, config.redis());
    try {
      store.putAll(world.profiles).await(60, TimeUnit.SECONDS);
      FunnelServer server =
          FunnelServer.start(vertx, config, world.bundle, store).await(300, TimeUnit.SECONDS);
      warmUp(server, world);
      // Only what happens after start-up counts: see warmUp.
      events.clear();
      return new RunningServer(server, world, store, vertx, events);
    } catch (Exception ex) {
      vertx.close();
      throw new IllegalStateException("cannot start the test server", ex);
    }
  }
}
