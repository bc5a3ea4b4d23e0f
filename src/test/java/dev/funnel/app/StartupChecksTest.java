package dev.funnel.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.cli.FunnelCli;
import dev.funnel.features.FeatureStore;
import dev.funnel.features.RedisFeatureStore;
import dev.funnel.testing.CapturedStderr;
import dev.funnel.testing.RedisServer;
import dev.funnel.testing.RedisServerExtension;
import dev.funnel.testing.TestConfig;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/** A taken port and a silent Redis are said at start, naming what is wrong. */
@ExtendWith(RedisServerExtension.class)
class StartupChecksTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private static ServerSocket taken() throws Exception {
    return new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
  }

  @Test
  void portProblem_portTaken_namesHostAndPort() throws Exception {
    try (ServerSocket socket = taken()) {
      String problem = StartupChecks.portProblem("127.0.0.1", socket.getLocalPort());
      assertNotNull(problem);
      assertTrue(problem.contains("127.0.0.1:" + socket.getLocalPort()), problem);
    }
  }

  @Test
  void portProblem_freePortOrAny_isNull() throws Exception {
    int port;
    try (ServerSocket socket = taken()) {
      port = socket.getLocalPort();
    }
    assertNull(StartupChecks.portProblem("127.0.0.1", port));
    assertNull(StartupChecks.portProblem("127.0.0.1", 0));
  }

  @Test
  void serve_portTaken_saysSoBeforeLoadingTheModel() throws Exception {
    try (ServerSocket socket = taken();
        CapturedStderr err = new CapturedStderr()) {
      int rc =
          new CommandLine(new FunnelCli())
              .execute(
                  "serve",
                  "--port",
                  Integer.toString(socket.getLocalPort()),
                  "--models",
                  "target/no-such-models");
      assertEquals(1, rc);
      assertTrue(err.text().contains("127.0.0.1:" + socket.getLocalPort()), err.text());
      assertFalse(err.text().contains("cannot load a model"), err.text());
    }
  }

  @Test
  void storeProblem_nobodyListening_namesTheStore() throws Exception {
    int port;
    try (ServerSocket socket = taken()) {
      port = socket.getLocalPort();
    }
    String url = "redis://127.0.0.1:" + port;
    FeatureStore store =
        RedisFeatureStore.create(vertx, TestConfig.server("redis.url", url).redis());
    try {
      String problem = StartupChecks.storeProblem(store, url, 1000);
      assertNotNull(problem);
      assertTrue(problem.contains(url), problem);
    } finally {
      store.close().await();
    }
  }

  @Test
  void storeProblem_realRedis_isNull(RedisServer redis) {
    FeatureStore store =
        RedisFeatureStore.create(vertx, TestConfig.server("redis.url", redis.url()).redis());
    try {
      assertNull(StartupChecks.storeProblem(store, redis.url(), 5000));
    } finally {
      store.close().await();
    }
  }
}
