package dev.funnel.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A private redis-server process on a free loopback port, for the demo and the tests: no
 * persistence, its own working directory, stopped by {@link #close()} (and by a shutdown hook, so a
 * Ctrl-C leaves nothing running). A {@code kill -9} of the JVM runs no hook, so with a pid file the
 * next start stops the server the killed JVM left behind. Never touches a Redis someone else
 * started: only a live redis-server whose pid and port the pid file names, and whose owner JVM is
 * gone.
 */
public final class LocalRedisServer implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

  private static final Logger LOG = LoggerFactory.getLogger(LocalRedisServer.class);

  private final Process process;
  private final int port;
  private final Path dir;
  private final Path pidFile;
  private final Thread shutdownHook;

  private LocalRedisServer(Process process, int port, Path dir, Path pidFile) {
    this.process = process;
    this.port = port;
    this.dir = dir;
    this.pidFile = pidFile;
    this.shutdownHook = new Thread(this::stopProcess, "local-redis-stop");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** The redis-server executable on the PATH, if there is one. */
  public static Optional<Path> findExecutable() {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String entry : path.split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(entry, "redis-server");
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /**
   * Starts redis-server on a free port and waits until it answers PING.
   *
   * @throws IOException when redis-server is missing or does not come up in time
   */
  public static LocalRedisServer start() throws IOException {
    return start(null);
  }

  /**
   * Like {@link #start()}, remembering the server in {@code pidFile} (null = none) until {@link
   * #close()}; first stops the server an earlier owner left there if that owner is gone.
   */
  public static LocalRedisServer start(Path pidFile) throws IOException {
    if (pidFile != null) {
      reapLeftover(pidFile);
    }
    Path executable =
        findExecutable().orElseThrow(() -> new IOException("redis-server is not on the PATH"));
    Path dir = Files.createTempDirectory("funnel-redis-");
    int port = freePort();
    Process process =
        new ProcessBuilder(
                executable.toString(),
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                dir.toString(),
                "--logfile",
                dir.resolve("redis.log").toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("stdout.log").toFile())
            .start();
    LocalRedisServer server = new LocalRedisServer(process, port, dir, pidFile);
    try {
      if (pidFile != null) {
        Files.createDirectories(pidFile.toAbsolutePath().getParent());
        Files.writeString(
            pidFile,
            "redis "
                + process.pid()
                + "\nowner "
                + ProcessHandle.current().pid()
                + "\nport "
                + port
                + "\ndir "
                + dir.toAbsolutePath()
                + "\n");
      }
      server.awaitPong();
    } catch (IOException e) {
      server.close();
      throw e;
    }
    return server;
  }

  public int port() {
    return port;
  }

  /** A connection string for vertx-redis-client. */
  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  public long pid() {
    return process.pid();
  }

  private void awaitPong() throws IOException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    IOException last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(
            "redis-server exited with "
                + process.exitValue()
                + "; see "
                + dir.resolve("redis.log"));
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        socket.setSoTimeout(500);
        OutputStream out = socket.getOutputStream();
        out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        byte[] reply = in.readNBytes(7);
        if (new String(reply, StandardCharsets.US_ASCII).equals("+PONG\r\n")) {
          return;
        }
      } catch (IOException e) {
        last = e;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for redis-server", e);
      }
    }
    throw new IOException("redis-server did not answer PING on port " + port + " in time", last);
  }

  /**
   * Stops the redis-server named in {@code pidFile} when its owner JVM is gone (killed without its
   * shutdown hook) and the process is still that redis-server (same pid, command and port), then
   * removes the file and the server's directory.
   */
  private static void reapLeftover(Path pidFile) {
    if (!Files.exists(pidFile)) {
      return;
    }
    Map<String, String> fields = new HashMap<>();
    try {
      for (String line : Files.readAllLines(pidFile)) {
        int space = line.indexOf(' ');
        if (space > 0) {
          fields.put(line.substring(0, space), line.substring(space + 1).trim());
        }
      }
      long redisPid = Long.parseLong(fields.getOrDefault("redis", "-1"));
      long ownerPid = Long.parseLong(fields.getOrDefault("owner", "-1"));
      String dir = fields.getOrDefault("dir", "");
      String port = fields.getOrDefault("port", "-1");
      if (ProcessHandle.of(ownerPid).map(ProcessHandle::isAlive).orElse(false)) {
        return; // its owner still runs it: not ours to stop, nor its file to remove
      }
      Optional<ProcessHandle> leftover =
          ProcessHandle.of(redisPid)
              .filter(ProcessHandle::isAlive)
              .filter(
                  h -> {
                    String cmd = processTitle(h.pid());
                    return cmd.contains("redis-server") && cmd.contains("127.0.0.1:" + port);
                  });
      if (leftover.isPresent()) {
        LOG.info(
            "stopping redis-server pid {} left running by an earlier run that was killed ({})",
            redisPid,
            pidFile);
        ProcessHandle h = leftover.get();
        h.destroy();
        try {
          h.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
          h.destroyForcibly();
        }
      }
      if (!dir.isEmpty()) {
        deleteQuietly(Path.of(dir));
      }
      Files.deleteIfExists(pidFile);
    } catch (IOException | NumberFormatException e) {
      LOG.warn("cannot read the pid file {}: {}", pidFile, e.toString());
    }
  }

  /**
   * The process's title as ps shows it: redis-server retitles itself "redis-server 127.0.0.1:PORT"
   * (ProcessHandle.Info reports the binary, which Debian links to redis-check-rdb). Linux only; ""
   * elsewhere, so nothing is stopped there.
   */
  private static String processTitle(long pid) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).replace('\0', ' ');
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }

  private void stopProcess() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    stopProcess();
    if (pidFile != null) {
      try {
        Files.deleteIfExists(pidFile);
      } catch (IOException ignored) {
        // a stale file names a dead process: the next start removes it
      }
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook is running or ran: nothing left to do
    }
    deleteQuietly(dir);
  }

  private static void deleteQuietly(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a leftover temp dir is harmless
    }
  }
}
