package dev.funnel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.testing.CapturedStderr;
import dev.funnel.testing.FunnelServerExtension;
import dev.funnel.testing.FunnelServerExtension.RunningServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** ./funnel bench over loopback against the real test server. */
@ExtendWith(FunnelServerExtension.class)
class BenchCommandTest {
  private final RunningServer s;

  BenchCommandTest(RunningServer s) {
    this.s = s;
  }

  @Test
  void bench_noUsersGiven_asksForTheStoredOnes(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("bench.json");
    try (CapturedStderr err = new CapturedStderr()) {
      int rc =
          new CommandLine(new FunnelCli())
              .execute(
                  "bench",
                  "--url",
                  s.url(""),
                  "--rate",
                  "20",
                  "--duration",
                  "1",
                  "--warmup",
                  "0",
                  "--out",
                  out.toString());
      assertEquals(0, rc, err.text());
      // A bounded SCAN of a Redis shared by every test class finds some of this server's users
      // (the world's, and those other tests' events created), not necessarily all.
      Matcher m = Pattern.compile("(\\d+) user ids from the server's store").matcher(err.text());
      assertTrue(m.find(), err.text());
      int n = Integer.parseInt(m.group(1));
      assertTrue(n > 0, err.text());
    }
    JsonObject summary = new JsonObject(Files.readString(out));
    assertEquals(0, summary.getLong("errors"), summary.encode());
    // Every run says which machine it measured and how fast its libtorch GEMM was there.
    JsonObject machine = summary.getJsonObject("machine");
    assertTrue(!machine.getString("cpu_model").isBlank(), machine.encode());
    assertTrue(machine.getDouble("gemm_gflops") > 0, machine.encode());
    assertTrue(machine.getDouble("gemm_256_median_ms") > 0, machine.encode());
    // Every answer counted under the version that gave it (the drills check rollouts with it).
    JsonObject models = summary.getJsonObject("models");
    assertEquals(java.util.Set.of(s.world.bundle.version()), models.fieldNames(), models.encode());
    assertEquals(summary.getLong("ok"), models.getLong(s.world.bundle.version()));
  }

  @Test
  void bench_serverPidGiven_reportsItsCpuPerRequest(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("bench.json");
    // The test server runs in this JVM: its process is ours.
    long pid = ProcessHandle.current().pid();
    try (CapturedStderr err = new CapturedStderr()) {
      int rc =
          new CommandLine(new FunnelCli())
              .execute(
                  "bench",
                  "--url",
                  s.url(""),
                  "--users",
                  "50",
                  "--rate",
                  "50",
                  "--duration",
                  "2",
                  "--warmup",
                  "0",
                  "--server-pid",
                  Long.toString(pid),
                  "--out",
                  out.toString());
      assertTrue(rc == 0 || rc == 1, err.text());
    }
    JsonObject summary = new JsonObject(Files.readString(out));
    double perRequest = summary.getDouble("server_cpu_ms_per_request");
    double total = summary.getDouble("server_cpu_s");
    assertTrue(perRequest > 0, summary.encode());
    long answered = summary.getLong("ok") + summary.getLong("errors_non_2xx");
    assertEquals(total * 1000 / answered, perRequest, 0.01, summary.encode());
    double withoutJit = summary.getDouble("server_cpu_ms_per_request_without_jit");
    assertTrue(withoutJit <= perRequest && withoutJit >= 0, summary.encode());
  }

  @Test
  void cpuTicks_noSuchProcess_isMinusOne() {
    assertEquals(-1, BenchCommand.cpuTicks(Long.MAX_VALUE));
    assertTrue(BenchCommand.cpuTicks(ProcessHandle.current().pid()) > 0);
  }
}
