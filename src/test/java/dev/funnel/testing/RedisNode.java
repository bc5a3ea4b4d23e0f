package dev.funnel.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * One redis-server process (a data node or a sentinel) on a loopback port of its own, for the
 * Sentinel and Cluster test sets; stopped by its PID. Setup queries go through redis-cli.
 */
public final class RedisNode implements AutoCloseable {
  private final Process process;
  private final int port;

  private RedisNode(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * Starts {@code redis-server <leading...> --port P --bind 127.0.0.1 --dir DIR <args...>} with its
   * log in {@code dir/redis.log} and waits until it answers PING.
   */
  static RedisNode start(Path dir, int port, List<String> leading, List<String> args)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    List<String> cmd = new ArrayList<>(List.of("redis-server"));
    cmd.addAll(leading);
    cmd.addAll(
        List.of(
            "--port",
            Integer.toString(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            dir.toString(),
            "--save",
            "",
            "--daemonize",
            "no",
            "--loglevel",
            "notice"));
    cmd.addAll(args);
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
            .start();
    RedisNode node = new RedisNode(p, port);
    long until = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < until) {
      if (!p.isAlive()) {
        break;
      }
      if (node.cli("PING").equals("PONG")) {
        return node;
      }
      Thread.sleep(20);
    }
    node.close();
    throw new IOException(
        "redis-server " + String.join(" ", leading) + " did not answer on port " + port);
  }

  /** {@code redis-cli -p PORT args...}: its trimmed output, or "" when it fails. */
  public String cli(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", "" + port));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return "";
    }
    return new String(out, StandardCharsets.UTF_8).trim();
  }

  public int port() {
    return port;
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  public long pid() {
    return process.pid();
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** SIGKILL by PID: the node dies at once, as in a crash. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(5, TimeUnit.SECONDS);
  }

  /** SIGSTOP / SIGCONT by PID: a node that hangs without closing its connections. */
  public void pause(boolean paused) throws IOException, InterruptedException {
    new ProcessBuilder("kill", paused ? "-STOP" : "-CONT", Long.toString(process.pid()))
        .inheritIO()
        .start()
        .waitFor(5, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    try {
      pause(false); // a stopped process cannot act on SIGTERM
    } catch (IOException | InterruptedException ignored) {
      // SIGKILL below still ends it
    }
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /**
   * A free loopback port; with {@code busToo}, {@code port + 10000} (the cluster bus) is free as
   * well.
   */
  static int freePort(boolean busToo) throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      if (!busToo) {
        return port;
      }
      if (port + 10_000 > 65_535) {
        continue;
      }
      try (ServerSocket bus = new ServerSocket(port + 10_000)) {
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IOException("no free port pair for a cluster node");
  }

  /** True when {@code command} runs and exits 0 (used to skip tests on machines without it). */
  /** Skips the calling test, with a message naming it, unless redis-server and redis-cli run. */
  static void assumeServerAndCli(String test) {
    Assumptions.assumeTrue(
        runs("redis-server", "--version") && runs("redis-cli", "--version"),
        "redis-server / redis-cli not installed: " + test + " test skipped");
  }

  static boolean runs(String... command) {
    return prints("", command);
  }

  /**
   * True when {@code command} runs and prints {@code text} (or, for empty text, exits 0); {@code
   * redis-cli --cluster help} exits 1 even where it works.
   */
  static boolean prints(String text, String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return false;
      }
      return text.isEmpty() ? p.exitValue() == 0 : out.contains(text);
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  static void deleteTree(Path dir) {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // a leftover temp dir is harmless
    }
  }
}
