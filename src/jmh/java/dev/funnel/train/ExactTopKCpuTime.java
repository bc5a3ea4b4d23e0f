package dev.funnel.train;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * {@link ExactTopKBenchmark}'s two scans timed in CPU seconds of the calling thread instead of wall
 * time (libtorch's single intra-op thread runs on it): on a shared machine wall time mostly measures
 * the neighbours. Arguments: videos, batches of 256 users, users for the old per-user loop.
 *
 * <pre>java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -cp target/funnel-bench.jar \
 *   dev.funnel.train.ExactTopKCpuTime 1000000 3 10</pre>
 */
public final class ExactTopKCpuTime {
  private static final int DIMS = 64;

  private ExactTopKCpuTime() {}

  public static void main(String[] args) {
    int videos = Integer.parseInt(args[0]);
    int batches = Integer.parseInt(args[1]);
    int loopUsers = Integer.parseInt(args[2]);
    int batch = Evaluator.USER_BATCH;
    SplittableRandom rnd = new SplittableRandom(1);
    float[] w = new float[videos * DIMS];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) rnd.nextGaussian() * 0.1f;
    }
    float[] b = new float[videos];
    for (int i = 0; i < videos; i++) {
      b[i] = (float) rnd.nextGaussian();
    }
    float[] users = new float[batch * DIMS];
    for (int i = 0; i < users.length; i++) {
      users[i] = (float) rnd.nextGaussian();
    }
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    double sink = 0;
    try (ExactTopK scan = new ExactTopK(w, b, DIMS)) {
      int[] k = new int[batch];
      for (int kk : new int[] {301 + 200, 301 + 2000}) {
        Arrays.fill(k, kk);
        sink += scan.top(users, batch, k).scores()[0][0]; // warm-up
        long c0 = cpu.getCurrentThreadCpuTime();
        long w0 = System.nanoTime();
        for (int i = 0; i < batches; i++) {
          sink += scan.top(users, batch, k).scores()[0][0];
        }
        double perBatch = (cpu.getCurrentThreadCpuTime() - c0) / 1e9 / batches;
        System.out.printf(
            "batched top-%d, %d users: %.2f s CPU (%.2f s wall) per batch = %.2f ms CPU per user%n",
            kk,
            batch,
            perBatch,
            (System.nanoTime() - w0) / 1e9 / batches,
            perBatch * 1000 / batch);
      }
    }
    float[] scores = new float[videos];
    boolean[] excluded = new boolean[videos];
    long c0 = cpu.getCurrentThreadCpuTime();
    long w0 = System.nanoTime();
    for (int u = 0; u < loopUsers; u++) {
      // The evaluator before: exclusions cleared, every score, then the model's and the
      // popularity baseline's rank passes.
      Arrays.fill(excluded, false);
      for (int v = 0; v < videos; v++) {
        float s = b[v];
        int base = v * DIMS;
        for (int j = 0; j < DIMS; j++) {
          s += users[(u % batch) * DIMS + j] * w[base + j];
        }
        scores[v] = s;
      }
      sink += Evaluator.rank(scores, excluded, 7) + Evaluator.rank(scores, excluded, 9);
    }
    if (loopUsers > 0) {
      System.out.printf(
          "old per-user loop: %.1f ms CPU (%.1f ms wall) per user%n",
          (cpu.getCurrentThreadCpuTime() - c0) / 1e6 / loopUsers,
          (System.nanoTime() - w0) / 1e6 / loopUsers);
    }
    System.out.println(sink == 42 ? "" : "done");
  }
}
