package dev.funnel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.testing.TestWorld;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code evaluate --held-out} charts what the trainer measured before continuing on the tail. */
class EvaluateHeldOutTest {
  @TempDir Path tmp;

  private static int run(String... args) {
    CommandLine cli = new CommandLine(new FunnelCli());
    cli.setOut(new PrintWriter(new StringWriter(), true));
    cli.setErr(new PrintWriter(new StringWriter(), true));
    return cli.execute(args);
  }

  @Test
  void evaluate_heldOut_chartsTheManifestsReliabilityWithoutData() throws Exception {
    Path models = TestWorld.get().bundle.directory();
    Path png = tmp.resolve("reliability.png");
    assertEquals(
        0,
        run(
            "evaluate",
            "--held-out",
            "--models",
            models.toString(),
            "--reliability-chart",
            png.toString()));
    byte[] head = Files.readAllBytes(png);
    assertTrue(head.length > 8 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G', "a PNG");
  }

  @Test
  void evaluate_neitherDataNorHeldOut_isAUsageError() {
    assertEquals(2, run("evaluate", "--models", tmp.toString()));
  }
}
