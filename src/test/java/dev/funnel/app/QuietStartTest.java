package dev.funnel.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.config.FunnelConfig;
import dev.funnel.config.InferenceConfig;
import dev.funnel.models.InferenceDevices;
import dev.funnel.models.ModelBundle;
import dev.funnel.models.serving.ServingModel;
import dev.funnel.testing.TestConfig;
import dev.funnel.testing.TestWorld;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A CPU start of a model served by the exact index, in a fresh JVM (class initialisation happens
 * once per JVM): its log has no GPU warning from DJL's platform probe, no warning from jvector (not
 * in use), and no terminal colour codes.
 */
class QuietStartTest {

  /** The child JVM: loads the model as serve does and builds the serving model (exact index). */
  public static void main(String[] args) throws Exception {
    FunnelConfig config = TestConfig.server("inference.workers", "1", "inference.index", "auto");
    try (ModelBundle bundle =
            ModelBundle.load(
                Path.of(args[0]), InferenceDevices.resolve(InferenceConfig.Device.AUTO));
        ServingModel model = ServingModel.build(bundle, config)) {
      System.out.println("served from " + model.index().getClass().getSimpleName());
    }
  }

  @Test
  void start_exactIndexOnCpu_logsNoGpuJvectorOrColourNoise() throws Exception {
    Path model = TestWorld.get().bundle.directory();
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_threads=1",
                "-cp",
                System.getProperty("java.class.path"),
                QuietStartTest.class.getName(),
                model.toAbsolutePath().toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("served from Exact"), out);
    assertFalse(out.contains("CudaUtils"), out);
    assertFalse(out.contains("Vector API"), out);
    assertFalse(out.contains("\u001b["), out);
  }
}
