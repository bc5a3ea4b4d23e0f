package dev.funnel.app;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LocalRedisServerTest {

  @Test
  void start_thenClose_stopsTheProcessAndFreesThePort() throws Exception {
    assumeTrue(
        LocalRedisServer.findExecutable().isPresent(),
        "redis-server is not installed (./scripts/test installs it)");
    LocalRedisServer server = LocalRedisServer.start();
    int port = server.port();
    ProcessHandle handle = ProcessHandle.of(server.pid()).orElseThrow();
    assertTrue(handle.isAlive());
    assertTrue(accepts(port));

    server.close();

    handle.onExit().get();
    assertFalse(handle.isAlive());
    assertFalse(accepts(port));
  }

  @Test
  void start_withPidFileOfAKilledOwner_stopsTheLeftoverServer() throws Exception {
    assumeTrue(LocalRedisServer.findExecutable().isPresent(), "redis-server is not installed");
    Path pidFile = Files.createTempDirectory("funnel-pid-").resolve("redis.pid");
    LocalRedisServer left = LocalRedisServer.start(pidFile);
    ProcessHandle leftover = ProcessHandle.of(left.pid()).orElseThrow();
    // What a kill -9 of the owner leaves: the file names an owner that no longer runs.
    Process owner = new ProcessBuilder("true").start();
    owner.waitFor();
    Files.writeString(
        pidFile, Files.readString(pidFile).replaceFirst("owner \\d+", "owner " + owner.pid()));

    LocalRedisServer next = LocalRedisServer.start(pidFile);
    try {
      leftover.onExit().get(10, TimeUnit.SECONDS);
      assertFalse(leftover.isAlive());
      assertFalse(accepts(left.port()));
      assertTrue(accepts(next.port()));
      assertTrue(Files.readString(pidFile).contains("redis " + next.pid()));
    } finally {
      next.close();
      left.close();
    }
    assertFalse(Files.exists(pidFile), "close removes the pid file");
  }

  @Test
  void start_withPidFileOfALiveOwner_leavesItsServerAlone() throws Exception {
    assumeTrue(LocalRedisServer.findExecutable().isPresent(), "redis-server is not installed");
    Path pidFile = Files.createTempDirectory("funnel-pid-").resolve("redis.pid");
    try (LocalRedisServer first = LocalRedisServer.start(pidFile);
        LocalRedisServer second = LocalRedisServer.start(pidFile)) {
      assertTrue(accepts(first.port()));
      assertTrue(accepts(second.port()));
    }
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
