package dev.funnel.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server process on a free loopback port, with its own temporary directory and no
 * persistence. Started by {@link RedisServerExtension}; never touches a Redis on 6379.
 */
public final class RedisServer implements AutoCloseable {
  private volatile Process process;
  private final Path dir;
  private final int port;
  private final boolean durable;

  private RedisServer(Process process, Path dir, int port, boolean durable) {
    this.process = process;
    this.dir = dir;
    this.port = port;
    this.durable = durable;
  }

  public static RedisServer start() throws IOException, InterruptedException {
    return start(false);
  }

  /**
   * @param durable append-only file with fsync on every write, so that what Redis acknowledged
   *     survives {@link #kill()} and {@link #restart()} (fault drills); else no persistence at all
   */
  public static RedisServer start(boolean durable) throws IOException, InterruptedException {
    IOException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      int port = freePort();
      Path dir = Files.createTempDirectory("funnel-redis-");
      RedisServer server = new RedisServer(launch(port, dir, durable), dir, port, durable);
      if (server.awaitPong(10_000)) {
        return server;
      }
      server.close();
      last = new IOException("redis-server did not answer on port " + port);
    }
    throw last;
  }

  private static Process launch(int port, Path dir, boolean durable) throws IOException {
    return new ProcessBuilder(
            "redis-server",
            "--port",
            Integer.toString(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            durable ? "yes" : "no",
            "--appendfsync",
            "always",
            "--dir",
            dir.toString(),
            "--daemonize",
            "no",
            "--loglevel",
            "warning")
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
        .start();
  }

  /** SIGKILL: the server dies at once, as in a crash. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(5, TimeUnit.SECONDS);
  }

  /** Starts the server again on the same port and directory (after {@link #kill()}). */
  public void restart() throws IOException, InterruptedException {
    process = launch(port, dir, durable);
    if (!awaitPong(10_000)) {
      throw new IOException("redis-server did not come back on port " + port);
    }
  }

  /** SIGSTOP / SIGCONT: a server that hangs without closing its connections. */
  public void pause(boolean paused) throws IOException, InterruptedException {
    new ProcessBuilder("kill", paused ? "-STOP" : "-CONT", Long.toString(process.pid()))
        .inheritIO()
        .start()
        .waitFor(5, TimeUnit.SECONDS);
  }

  public int port() {
    return port;
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  private boolean awaitPong(long timeoutMs) throws InterruptedException {
    long until = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < until) {
      if (!process.isAlive()) {
        return false;
      }
      try (Socket s = new Socket("127.0.0.1", port)) {
        OutputStream out = s.getOutputStream();
        out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[7];
        int n = in.readNBytes(buf, 0, 7);
        if (new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG")) {
          return true;
        }
      } catch (IOException e) {
        Thread.sleep(20);
      }
    }
    return false;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try (var files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // a leftover temp dir is harmless
    }
  }
}
