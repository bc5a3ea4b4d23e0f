package dev.funnel.app;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
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

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
