package dev.funnel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.testing.CapturedStderr;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Start-up refusals of ./funnel serve that need no model and no server. */
class ServeCommandTest {
  @Test
  void serve_fleetRolloutOnSentinel_refusedBeforeAnyConnection(@TempDir Path tmp) throws Exception {
    // The rollout's client reads redis.url only: on Sentinel it would fall back to
    // localhost:6379, so serve must refuse before it connects anywhere.
    Path conf = tmp.resolve("funnel.properties");
    Files.writeString(
        conf,
        String.join(
            "\n",
            "redis.mode = sentinel",
            "redis.endpoints = redis://127.0.0.1:1",
            "redis.master-name = funnel",
            "fleet.replica-id = r1",
            ""));
    try (CapturedStderr err = new CapturedStderr()) {
      int rc =
          new CommandLine(new FunnelCli())
              .execute("serve", "--conf", conf.toString(), "--models", "target/no-such-models");
      assertEquals(2, rc, err.text());
      assertTrue(err.text().contains("needs redis.mode = standalone"), err.text());
      assertTrue(err.text().contains("redis.mode is sentinel"), err.text());
    }
  }
}
