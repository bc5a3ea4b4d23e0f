package dev.funnel.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Sentinel set on free loopback ports: one master, one replica and three sentinels (quorum
 * 2) that declare the master down after one second. Everything is stopped by PID on {@link
 * #close()}.
 */
public final class RedisSentinelSet implements AutoCloseable {
  public static final String MASTER_NAME = "funnel";

  private final Path dir;
  private final List<RedisNode> data = new ArrayList<>();
  private final List<RedisNode> sentinels = new ArrayList<>();

  private RedisSentinelSet(Path dir) {
    this.dir = dir;
  }

  /** Starts the set and waits until the sentinels see the replica and each other. */
  public static RedisSentinelSet start() throws IOException, InterruptedException {
    RedisNode.assumeServerAndCli("Sentinel");
    RedisSentinelSet set = new RedisSentinelSet(Files.createTempDirectory("funnel-sentinel-"));
    try {
      set.boot();
      return set;
    } catch (IOException | RuntimeException | InterruptedException e) {
      set.close();
      throw e;
    }
  }

  private void boot() throws IOException, InterruptedException {
    RedisNode master =
        RedisNode.start(dir.resolve("master"), RedisNode.freePort(false), List.of(), List.of());
    data.add(master);
    data.add(
        RedisNode.start(
            dir.resolve("replica"),
            RedisNode.freePort(false),
            List.of(),
            List.of("--replicaof", "127.0.0.1", Integer.toString(master.port()))));
    for (int i = 0; i < 3; i++) {
      Path sdir = dir.resolve("sentinel-" + i);
      Files.createDirectories(sdir);
      Path conf = sdir.resolve("sentinel.conf");
      Files.writeString(
          conf,
          String.join(
              "\n",
              "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + master.port() + " 2",
              "sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
              "sentinel failover-timeout " + MASTER_NAME + " 3000",
              "sentinel parallel-syncs " + MASTER_NAME + " 1",
              ""));
      try {
        sentinels.add(
            RedisNode.start(
                sdir,
                RedisNode.freePort(false),
                List.of(conf.toString(), "--sentinel"),
                List.of()));
      } catch (IOException e) {
        Assumptions.abort("redis-server has no sentinel mode here: " + e.getMessage());
      }
    }
    long until = System.currentTimeMillis() + 30_000;
    while (!ready()) {
      if (System.currentTimeMillis() > until) {
        throw new IOException("sentinel set did not settle in 30 s (logs in " + dir + ")");
      }
      Thread.sleep(100);
    }
  }

  private boolean ready() throws IOException, InterruptedException {
    if (!data.get(0).cli("INFO", "replication").contains("connected_slaves:1")) {
      return false;
    }
    for (RedisNode s : sentinels) {
      String info = s.cli("SENTINEL", "MASTER", MASTER_NAME);
      if (!field(info, "num-other-sentinels").equals("2")
          || !field(info, "num-slaves").equals("1")) {
        return false;
      }
    }
    return true;
  }

  // redis-cli prints a map reply as alternating name and value lines
  private static String field(String reply, String name) {
    String[] lines = reply.split("\n");
    for (int i = 0; i + 1 < lines.length; i++) {
      if (lines[i].trim().equals(name)) {
        return lines[i + 1].trim();
      }
    }
    return "";
  }

  public List<String> sentinelUrls() {
    return sentinels.stream().map(RedisNode::url).toList();
  }

  /** The port the sentinels name as master now. */
  public int masterPort() throws IOException, InterruptedException {
    for (RedisNode s : sentinels) {
      String[] addr = s.cli("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME).split("\n");
      if (addr.length == 2) {
        return Integer.parseInt(addr[1].trim());
      }
    }
    throw new IOException("no sentinel names a master");
  }

  /** The data node (master or replica) on {@code port}. */
  public RedisNode node(int port) {
    return data.stream().filter(n -> n.port() == port).findFirst().orElseThrow();
  }

  /** The data node that is not on {@code port}. */
  public RedisNode other(int port) {
    return data.stream().filter(n -> n.port() != port).findFirst().orElseThrow();
  }

  @Override
  public void close() {
    sentinels.forEach(RedisNode::close);
    data.forEach(RedisNode::close);
    RedisNode.deleteTree(dir);
  }
}
