package dev.funnel.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Kafka (KRaft: one process is broker and controller) in a child JVM, from the
 * {@code kafka_2.13} jars on the test classpath, on free loopback ports with its own temporary log
 * directory. The same set-up as {@code scripts/kafka-lib.sh}: format the storage, start, wait until
 * the broker answers. {@link #kill()} is a SIGKILL (a crashed broker), {@link #restart()} starts it
 * again on the same ports and data.
 */
public final class KafkaNode implements AutoCloseable {
  private final Path dir;
  private final int port;
  private final Path props;
  private volatile Process process;

  private KafkaNode(Path dir, int port, Path props) {
    this.dir = dir;
    this.port = port;
    this.props = props;
  }

  /** Formats and starts a node; fails after {@code timeoutSeconds} without an answering broker. */
  public static KafkaNode start(int timeoutSeconds) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("funnel-kafka-");
    int port = freePort();
    int controller = freePort();
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", "1");
    p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controller);
    p.setProperty(
        "listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller);
    p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    p.setProperty("controller.listener.names", "CONTROLLER");
    p.setProperty("inter.broker.listener.name", "PLAINTEXT");
    p.setProperty("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
    p.setProperty("log.dirs", dir.resolve("data").toString());
    p.setProperty("num.partitions", "1");
    // one node: every internal topic has one replica; few partitions start faster
    p.setProperty("offsets.topic.replication.factor", "1");
    p.setProperty("offsets.topic.num.partitions", "3");
    p.setProperty("transaction.state.log.replication.factor", "1");
    p.setProperty("transaction.state.log.min.isr", "1");
    p.setProperty("share.coordinator.state.topic.replication.factor", "1");
    p.setProperty("share.coordinator.state.topic.min.isr", "1");
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    Path props = dir.resolve("server.properties");
    try (var w = Files.newBufferedWriter(props)) {
      p.store(w, "funnel test node");
    }
    KafkaNode node = new KafkaNode(dir, port, props);
    Process format =
        node.java(
                "kafka.tools.StorageTool",
                "format",
                "--cluster-id",
                Uuid.randomUuid().toString(),
                "--config",
                props.toString())
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("format.log").toFile()))
            .start();
    if (!format.waitFor(timeoutSeconds, TimeUnit.SECONDS) || format.exitValue() != 0) {
      format.destroyForcibly();
      String log = Files.readString(dir.resolve("format.log"));
      node.close();
      throw new IOException("kafka storage format failed: " + log);
    }
    node.launch(timeoutSeconds);
    return node;
  }

  private ProcessBuilder java(String mainClass, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // a small heap and the quick JIT: a test broker carries a few thousand records
    cmd.addAll(
        List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classPath()));
    cmd.add(mainClass);
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true);
  }

  // Surefire may run the tests from a manifest-only jar; its real class path is here then.
  private static String classPath() {
    String cp = System.getProperty("surefire.test.class.path");
    return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
  }

  private void launch(int timeoutSeconds) throws IOException, InterruptedException {
    process =
        java("kafka.Kafka", props.toString())
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("kafka.log").toFile()))
            .start();
    if (!awaitReady(timeoutSeconds)) {
      String log = Files.readString(dir.resolve("kafka.log"));
      close();
      throw new IOException(
          "kafka did not answer on port "
              + port
              + " within "
              + timeoutSeconds
              + " s; its log ends: "
              + log.substring(Math.max(0, log.length() - 2000)));
    }
  }

  private boolean awaitReady(int timeoutSeconds) throws InterruptedException {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000);
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    try (Admin admin = Admin.create(p)) {
      while (System.nanoTime() < until) {
        if (!process.isAlive()) {
          return false;
        }
        try {
          admin.describeCluster().nodes().get(2, TimeUnit.SECONDS);
          // the controller has registered the broker: topics can be created now
          admin.listTopics().names().get(2, TimeUnit.SECONDS);
          return true;
        } catch (Exception e) {
          Thread.sleep(200);
        }
      }
    }
    return false;
  }

  /** {@code 127.0.0.1:port}, for {@code bootstrap.servers}. */
  public String bootstrap() {
    return "127.0.0.1:" + port;
  }

  /** SIGKILL: the broker dies at once, as in a crash. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** Starts the node again on the same ports and data (after {@link #kill()}). */
  public void restart(int timeoutSeconds) throws IOException, InterruptedException {
    launch(timeoutSeconds);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    Process p = process;
    if (p != null) {
      p.destroyForcibly();
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try (var files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // a leftover temp dir is harmless
    }
  }
}
