package dev.funnel.train;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The evaluator's candidate scan on random vectors at RW-1M's shape (1M videos × 64): {@code
 * batchedTopK} is one batch of {@link Evaluator#USER_BATCH} users through {@link ExactTopK} (k
 * = 301 + 200 exclusions each); {@code perUserLoop} is the scan the evaluator did before, for one user:
 * a Java loop of u·w + b over every video, then a pass over every video to count the ones above the
 * target. Per user: batchedTopK ÷ 256 against perUserLoop.
 *
 * <pre>java -Dai.djl.offline=true -jar target/funnel-bench.jar ExactTopKBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "-Xmx3g",
      "-Dai.djl.offline=true",
      "-Dai.djl.pytorch.num_threads=1",
      "-Dai.djl.pytorch.num_interop_threads=1"
    })
public class ExactTopKBenchmark {
  private static final int DIMS = 64;

  @Param({"1000000"})
  public int videos;

  private float[] w;
  private float[] b;
  private float[] users;
  private float[] scores;
  private boolean[] excluded;
  private ExactTopK scan;
  private final int[] k = new int[Evaluator.USER_BATCH];

  @Setup(Level.Trial)
  public void setUp() {
    SplittableRandom rnd = new SplittableRandom(1);
    w = new float[videos * DIMS];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) rnd.nextGaussian() * 0.1f;
    }
    b = new float[videos];
    for (int i = 0; i < videos; i++) {
      b[i] = (float) rnd.nextGaussian();
    }
    users = new float[Evaluator.USER_BATCH * DIMS];
    for (int i = 0; i < users.length; i++) {
      users[i] = (float) rnd.nextGaussian();
    }
    scores = new float[videos];
    excluded = new boolean[videos];
    scan = new ExactTopK(w, b, DIMS);
    java.util.Arrays.fill(k, 301 + 200);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    scan.close();
  }

  @Benchmark
  public int batchedTopK() {
    return scan.top(users, Evaluator.USER_BATCH, k).ids()[0][0];
  }

  @Benchmark
  public double perUserLoop() {
    for (int v = 0; v < videos; v++) {
      float s = b[v];
      int base = v * DIMS;
      for (int j = 0; j < DIMS; j++) {
        s += users[j] * w[base + j];
      }
      scores[v] = s;
    }
    return Evaluator.rank(scores, excluded, 7);
  }
}
