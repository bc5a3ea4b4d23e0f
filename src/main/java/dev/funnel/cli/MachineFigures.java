package dev.funnel.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What a benchmark records about the machine it ran on: machines of one kind differ in CPU and in
 * how busy their neighbours are, so a latency figure is only comparable beside the CPU model, the
 * load average and a fixed libtorch GEMM timed on one thread (the ranker's and tower's kernel).
 */
final class MachineFigures {
  /** Side of the square float GEMM: 2·256³ ≈ 33.6 MFLOP, about a millisecond on one core. */
  static final int GEMM_SIDE = 256;

  private static final int WARM_UP = 20;
  private static final int TIMED = 60;

  private MachineFigures() {}

  static JsonObject measure() {
    JsonObject figures =
        new JsonObject()
            .put("cpu_model", cpuModel())
            .put("cpus", Runtime.getRuntime().availableProcessors())
            .put("load_average_1m", loadAverage());
    double ms = gemmMedianMillis(GEMM_SIDE);
    double flop = 2.0 * GEMM_SIDE * GEMM_SIDE * GEMM_SIDE;
    return figures
        .put("gemm_" + GEMM_SIDE + "_median_ms", Math.round(ms * 1000) / 1000.0)
        .put("gemm_gflops", Math.round(flop / (ms * 1e6) * 10) / 10.0);
  }

  /** Median wall time of one n×n by n×n float matmul through libtorch, after a warm-up. */
  static double gemmMedianMillis(int n) {
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      NDArray a = manager.randomUniform(-1f, 1f, new Shape(n, n));
      NDArray b = manager.randomUniform(-1f, 1f, new Shape(n, n));
      double[] millis = new double[TIMED];
      for (int i = 0; i < WARM_UP + TIMED; i++) {
        long start = System.nanoTime();
        try (NDArray product = a.matMul(b)) {
          // PyTorch runs eagerly: the product exists when matMul returns.
          if (i >= WARM_UP) {
            millis[i - WARM_UP] = (System.nanoTime() - start) / 1e6;
          }
        }
      }
      Arrays.sort(millis);
      return millis[TIMED / 2];
    }
  }

  static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(line -> line.startsWith("model name"))
          .map(line -> line.substring(line.indexOf(':') + 1).trim())
          .findFirst()
          .orElse("unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
