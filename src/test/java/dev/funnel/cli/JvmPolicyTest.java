package dev.funnel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.testing.CapturedStderr;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What ./funnel serve runs with, for small and RW-1M-sized models. */
class JvmPolicyTest {
  private static final JvmPolicy.Jdk JDK17 = new JvmPolicy.Jdk("java", 17);
  private static final JvmPolicy.Jdk JDK21 = new JvmPolicy.Jdk("/jvm/21/bin/java", 21);
  private static final JvmPolicy.Jdk JDK25 = new JvmPolicy.Jdk("/jvm/25/bin/java", 25);

  private static JvmPolicy.Choice choose(
      long videos, boolean pq, List<JvmPolicy.Jdk> installed, boolean java, boolean opts) {
    return JvmPolicy.choose(new JvmPolicy.Facts(videos, pq, JDK17, installed, java, opts));
  }

  @Test
  void choose_smallModel_keepsJavaAndJvmDefaults() {
    JvmPolicy.Choice c = choose(20_000, false, List.of(JDK25), false, false);
    assertEquals("java", c.java());
    assertEquals("", c.opts());
    assertTrue(c.reasons().get(0).contains("20000 videos"), c.reasons().toString());
  }

  @Test
  void choose_millionVideosWithPq_newestJdkZgcFixedHeap() {
    JvmPolicy.Choice c = choose(1_000_000, true, List.of(JDK21, JDK25), false, false);
    assertEquals(JDK25.java(), c.java());
    assertEquals("-Xms2560m -Xmx2560m -XX:+UseZGC", c.opts());
  }

  @Test
  void choose_pqOnJava21_addsGenerationalFlag() {
    JvmPolicy.Choice c = choose(1_000_000, true, List.of(JDK21), false, false);
    assertEquals("-Xms2560m -Xmx2560m -XX:+UseZGC -XX:+ZGenerational", c.opts());
  }

  @Test
  void choose_millionVideosWithoutPq_g1FixedHeap() {
    JvmPolicy.Choice c = choose(1_000_000, false, List.of(JDK25), false, false);
    assertEquals(JDK25.java(), c.java());
    assertEquals("-Xms2048m -Xmx2048m", c.opts());
  }

  @Test
  void choose_noNewJdk_staysOnJava17WithG1AndSaysSo() {
    JvmPolicy.Choice c = choose(1_000_000, true, List.of(), false, false);
    assertEquals("java", c.java());
    assertEquals("-Xms2048m -Xmx2048m", c.opts());
    assertTrue(String.join(" ", c.reasons()).contains("no JDK >= 20"), c.reasons().toString());
  }

  @Test
  void choose_explicitJavaAndOpts_win() {
    JvmPolicy.Choice c = choose(1_000_000, true, List.of(JDK25), true, true);
    assertEquals("java", c.java());
    assertEquals("", c.opts());
  }

  @Test
  void heapMb_scalesWithTheCatalogueFromAFloor() {
    assertEquals(1024, JvmPolicy.heapMb(60_000, JvmPolicy.ZGC_HEAP_MB_PER_MILLION));
    assertEquals(5120, JvmPolicy.heapMb(2_000_000, JvmPolicy.ZGC_HEAP_MB_PER_MILLION));
  }

  @Test
  void jvmOptions_modelsRoot_readsTheManifestAndTheInstalledJdks(@TempDir Path tmp)
      throws Exception {
    Path version = tmp.resolve("models/v1");
    Files.createDirectories(version.resolve("index"));
    Files.writeString(version.resolve("model.json"), "{\"vocabulary\":{\"videos\":1000000}}");
    Files.writeString(version.resolve("index/pq.bin"), "");
    Files.writeString(tmp.resolve("models/LATEST"), "v1\n");
    Path jdk = tmp.resolve("jvm/jdk-25");
    Files.createDirectories(jdk.resolve("bin"));
    Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"25.0.3\"\n");
    Files.writeString(jdk.resolve("bin/java"), "");
    jdk.resolve("bin/java").toFile().setExecutable(true);

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    int rc;
    try (CapturedStderr err = new CapturedStderr()) {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      rc =
          new CommandLine(new FunnelCli())
              .execute(
                  "jvm-options",
                  "--jvm-dir",
                  tmp.resolve("jvm").toString(),
                  "--",
                  "--models",
                  tmp.resolve("models").toString(),
                  "--port",
                  "9000");
      assertTrue(err.text().contains("ZGC"), err.text());
    } finally {
      System.setOut(stdout);
    }
    assertEquals(0, rc);
    String text = out.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("JAVA=" + jdk.resolve("bin/java")), text);
    assertTrue(text.contains("OPTS=-Xms2560m -Xmx2560m -XX:+UseZGC\n"), text);
  }
}
