package dev.funnel.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
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
 * Writing k updated rows back into a 1M × 64 table, the two ways DJL offers: {@code
 * NDArray.set(NDIndex("{}", rowIds), rows)}, which the PyTorch engine runs as torch {@code
 * index_put_} in place ({@link RowWiseAdam} uses it), and {@code NDArray.put(flatIndex, values)},
 * which runs torch's out-of-place {@code put} and so copies the whole table per call.
 *
 * <pre>java -jar target/funnel-bench.jar IndexedWriteBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "-Dai.djl.offline=true",
      "-Dai.djl.pytorch.num_threads=1",
      "-Dai.djl.pytorch.num_interop_threads=1"
    })
public class IndexedWriteBenchmark {
  @Param({"1000000"})
  public int tableRows;

  @Param({"64"})
  public int width;

  @Param({"2500", "25000"})
  public int rows;

  private NDManager manager;
  private NDArray table;
  private NDArray rowIds;
  private NDArray values;
  private NDArray flatIds;
  private NDArray flatValues;

  @Setup(Level.Trial)
  public void setUp() {
    manager = NDManager.newBaseManager();
    table = manager.zeros(new Shape(tableRows, width));
    SplittableRandom rnd = new SplittableRandom(3);
    long[] ids = rnd.longs(rows, 0, tableRows).distinct().toArray();
    long[] flat = new long[ids.length * width];
    for (int i = 0; i < ids.length; i++) {
      for (int j = 0; j < width; j++) {
        flat[i * width + j] = ids[i] * width + j;
      }
    }
    rowIds = manager.create(ids);
    values = manager.randomNormal(new Shape(ids.length, width));
    flatIds = manager.create(flat);
    flatValues = values.reshape(-1);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    manager.close();
  }

  @Benchmark
  public void setWithArrayIndex() {
    table.set(new NDIndex("{}", rowIds), values);
  }

  @Benchmark
  public void put() {
    try (NDArray out = table.put(flatIds, flatValues)) {
      out.getShape();
    }
  }
}
