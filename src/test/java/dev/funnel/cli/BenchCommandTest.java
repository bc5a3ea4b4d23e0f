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
  }
}
