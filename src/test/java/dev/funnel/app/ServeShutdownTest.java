package dev.funnel.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.funnel.testing.Http;
import dev.funnel.testing.TestWorld;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code funnel serve} process and a real SIGTERM: {@code /ready} turns 503 at once (the
 * balancer's signal) while recommendations are still answered 200, and the process then exits.
 */
class ServeShutdownTest {
  private static final int DRAIN_DELAY_MS = 5_000;
  private final TestWorld world = TestWorld.get();
  @TempDir Path dir;
  private Process process;

  @AfterEach
  void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void sigterm_readyTurns503WhileRecommendationsStill200_thenExits() throws Exception {
    int port = freePort();
    Path log = dir.resolve("serve.log");
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(
        List.of(
            "-Dai.djl.offline=true",
            "-Dai.djl.pytorch.num_threads=1",
            "-Dai.djl.pytorch.num_interop_threads=1",
            "-Xmx1g",
            "-cp",
            System.getProperty("java.class.path"),
            "dev.funnel.cli.FunnelCli",
            "serve",
            "--port",
            Integer.toString(port),
            "--models",
            world.bundle.directory().toString(),
            "--data",
            TestWorld.ROOT.resolve("data").toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.redirectOutput(log.toFile());
    pb.environment().put("FUNNEL_HTTP_DRAIN_DELAY_MS", Integer.toString(DRAIN_DELAY_MS));
    pb.environment().put("FUNNEL_HTTP_INSTANCES", "1");
    pb.environment().put("FUNNEL_INFERENCE_WORKERS", "1");
    pb.environment().put("FUNNEL_SERVING_DEADLINE_MS", "2000");
    process = pb.start();
    String base = "http://127.0.0.1:" + port;
    awaitReady(base, log);
    String user = world.profiles.get(0).userId();
    assertEquals(200, Http.get(base + "/v1/recommendations/" + user).status());

    process.destroy(); // SIGTERM
    Http.Reply ready = Http.get(base + "/ready");
    long until = System.nanoTime() + DRAIN_DELAY_MS * 1_000_000L;
    while (ready.status() == 200 && System.nanoTime() < until) {
      Thread.sleep(20);
      ready = Http.get(base + "/ready");
    }
    assertEquals(503, ready.status(), "/ready during the drain delay: " + ready.raw().body());
    assertEquals("application/problem+json", ready.contentType());
    Http.Reply served = Http.get(base + "/v1/recommendations/" + user);
    assertTrue(process.isAlive(), "still serving after /ready turned 503");
    assertEquals(200, served.status(), served.raw().body());
    assertFalse(served.json().getJsonArray("items").isEmpty());
    assertEquals(200, Http.get(base + "/health").status());

    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "exits after draining: " + tail(log));
    String text = Files.readString(log);
    assertTrue(text.contains("funnel serve: stopping"), "the shutdown hook ran");
    // Its chain completed rather than timing out (a drain-delay timer once bound it to an event
    // loop that closing Vert.x stopped, and the hook waited its full timeout).
    assertFalse(text.contains("unclean stop"), tail(log));
  }

  private void awaitReady(String base, Path log) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (System.nanoTime() < until) {
      if (!process.isAlive()) {
        fail("funnel serve exited with " + process.exitValue() + ": " + tail(log));
      }
      try {
        if (Http.get(base + "/ready").status() == 200) {
          return;
        }
      } catch (RuntimeException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    fail("funnel serve not ready within 180 s: " + tail(log));
  }

  private static String tail(Path log) throws IOException {
    String s = Files.readString(log);
    return s.length() <= 4000 ? s : s.substring(s.length() - 4000);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
