package dev.funnel.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Redis Cluster of three masters (no replicas) on free loopback ports, created with {@code
 * redis-cli --cluster create}. Everything is stopped by PID on {@link #close()}.
 */
public final class RedisClusterSet implements AutoCloseable {
  private final Path dir;
  private final List<RedisNode> nodes = new ArrayList<>();

  private RedisClusterSet(Path dir) {
    this.dir = dir;
  }

  public static RedisClusterSet start() throws IOException, InterruptedException {
    RedisNode.assumeServerAndCli("Cluster");
    Assumptions.assumeTrue(
        RedisNode.prints("create", "redis-cli", "--cluster", "help"),
        "redis-cli has no --cluster support here: Cluster test skipped");
    RedisClusterSet set = new RedisClusterSet(Files.createTempDirectory("funnel-cluster-"));
    try {
      set.boot();
      return set;
    } catch (IOException | RuntimeException | InterruptedException e) {
      set.close();
      throw e;
    }
  }

  private void boot() throws IOException, InterruptedException {
    for (int i = 0; i < 3; i++) {
      nodes.add(
          RedisNode.start(
              dir.resolve("node-" + i),
              RedisNode.freePort(true),
              List.of(),
              List.of(
                  "--cluster-enabled",
                  "yes",
                  "--cluster-config-file",
                  "nodes.conf",
                  "--cluster-node-timeout",
                  "2000",
                  "--appendonly",
                  "no")));
    }
    List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
    nodes.forEach(n -> create.add("127.0.0.1:" + n.port()));
    create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
    Process p =
        new ProcessBuilder(create)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("create.log").toFile())
            .start();
    if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException("redis-cli --cluster create failed (see " + dir + "/create.log)");
    }
    long until = System.currentTimeMillis() + 30_000;
    while (!ready()) {
      if (System.currentTimeMillis() > until) {
        throw new IOException(
            "cluster did not reach cluster_state:ok in 30 s (logs in " + dir + ")");
      }
      Thread.sleep(100);
    }
  }

  private boolean ready() throws IOException, InterruptedException {
    for (RedisNode n : nodes) {
      String info = n.cli("CLUSTER", "INFO");
      if (!info.contains("cluster_state:ok") || !info.contains("cluster_known_nodes:3")) {
        return false;
      }
    }
    return true;
  }

  public List<String> seedUrls() {
    return nodes.stream().map(RedisNode::url).toList();
  }

  public List<RedisNode> nodes() {
    return List.copyOf(nodes);
  }

  /** The port of the master serving {@code key}'s slot (the others answer MOVED). */
  public int portOf(String key) throws IOException, InterruptedException {
    for (RedisNode n : nodes) {
      String reply = n.cli("EXISTS", key);
      if (reply.equals("0") || reply.equals("1")) {
        return n.port();
      }
    }
    throw new IOException("no node serves " + key);
  }

  @Override
  public void close() {
    nodes.forEach(RedisNode::close);
    RedisNode.deleteTree(dir);
  }
}
