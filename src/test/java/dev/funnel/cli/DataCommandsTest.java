package dev.funnel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DataCommandsTest {
  @TempDir Path tmp;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = new CommandLine(new FunnelCli());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void generate_smallWorld_writesDatasetAndOneLineSummary() {
    Path dir = tmp.resolve("w");
    int code =
        run(
            "generate",
            "--preset",
            "tiny",
            "--videos",
            "300",
            "--users",
            "50",
            "--out",
            dir.toString());
    assertEquals(0, code, err.toString());
    assertTrue(Files.isRegularFile(dir.resolve("watches.tsv")));
    assertTrue(out.toString().startsWith("generated "), out.toString());
    assertTrue(out.toString().contains("300 videos, 50 users"), out.toString());
  }

  @Test
  void generate_badArguments_clearMessageNoStackTrace() {
    assertEquals(2, run("generate", "--out", tmp.toString(), "--videos", "0"));
    assertTrue(err.toString().contains("videos must be in 10..10000000"), err.toString());
    assertFalse(err.toString().contains("at dev.funnel"), err.toString());

    assertEquals(2, run("generate", "--out", tmp.toString(), "--preset", "huge"));
    assertTrue(err.toString().contains("unknown preset 'huge'"), err.toString());

    assertEquals(2, run("generate", "--out", tmp.toString(), "--days", "many"));
    assertEquals(2, run("generate"));
    assertTrue(err.toString().contains("--out"), err.toString());
  }

  @Test
  void importMovieLens_notMovieLens_clearMessage() {
    assertEquals(
        2, run("import-movielens", "--in", tmp.toString(), "--out", tmp.resolve("o").toString()));
    assertTrue(err.toString().contains("is not a MovieLens directory"), err.toString());
    assertFalse(err.toString().contains("at dev.funnel"), err.toString());
  }

  @Test
  void importMovieLens_badRow_fileAndLineExitOne() throws Exception {
    Path in = Files.createDirectories(tmp.resolve("bad"));
    Files.writeString(in.resolve("u.data"), "1\t2\t3\t100\n1\t2\n");
    assertEquals(
        1, run("import-movielens", "--in", in.toString(), "--out", tmp.resolve("o").toString()));
    assertTrue(err.toString().contains("u.data:2:"), err.toString());
  }
}
