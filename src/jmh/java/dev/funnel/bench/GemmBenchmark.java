package dev.funnel.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
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
 * The GEMM rate libtorch reaches here with one intra-op thread: the ranker's matrix chain at K
 * rows, (K×in)·(in×256) → (K×256)·(256×128) → (K×128)·(128×64), without activations. FLOP per
 * op = 2·K·(in·256 + 256·128 + 128·64); at K = 300, in = 90 that is 38.3 MFLOP, so GFLOP/s =
 * 38.3 / (µs per op) · 1000. Used to say what fraction of the machine the ranker uses at a rate.
 *
 * <pre>java -Dai.djl.offline=true -jar target/funnel-bench.jar GemmBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "-Dai.djl.offline=true",
      "-Dai.djl.pytorch.num_threads=1",
      "-Dai.djl.pytorch.num_interop_threads=1"
    })
public class GemmBenchmark {
  @Param({"300"})
  public int rows;

  @Param({"90"})
  public int in;

  private NDManager manager;
  private NDArray x;
  private NDArray w1;
  private NDArray w2;
  private NDArray w3;

  @Setup(Level.Trial)
  public void setUp() {
    manager = NDManager.newBaseManager();
    x = manager.randomNormal(new Shape(rows, in));
    w1 = manager.randomNormal(new Shape(in, 256));
    w2 = manager.randomNormal(new Shape(256, 128));
    w3 = manager.randomNormal(new Shape(128, 64));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    manager.close();
  }

  @Benchmark
  public float rankerGemmChain() {
    try (NDManager m = manager.newSubManager()) {
      NDArray h1 = x.matMul(w1);
      h1.attach(m);
      NDArray h2 = h1.matMul(w2);
      h2.attach(m);
      NDArray h3 = h2.matMul(w3);
      h3.attach(m);
      return h3.getFloat(0, 0);
    }
  }
}
