package dev.funnel.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.funnel.models.FeatureEncoder;
import dev.funnel.models.ModelShapes;
import dev.funnel.models.SoftmaxBlock;
import dev.funnel.models.UserTowerBlock;
import java.util.ArrayList;
import java.util.List;
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
 * One candidate-model training step at RW-1M shapes (1M videos, d = 64, 2,048 shared negatives),
 * with DJL's dense Adam over every parameter (the trainer before row-wise updates) or {@link
 * CandidateStep} (row-wise tables with upload-time side features, dense Adam for the MLP). Ids
 * are uniform over the catalogue: the most distinct rows a batch can touch, so an upper bound of
 * the row-wise cost. Examples per second = batch / (ms per step) · 1000.
 *
 * <pre>java -jar target/funnel-bench.jar TrainStepBenchmark</pre>
 *
 * <p>On a shared machine wall time says little; {@link #main} times steps by the thread's CPU time
 * (libtorch runs each op on the calling thread with one intra-op thread):
 *
 * <pre>java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -cp target/funnel-bench.jar \
 *   dev.funnel.train.TrainStepBenchmark VIDEOS BATCH dense|row-wise STEPS</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "-Dai.djl.offline=true",
      "-Dai.djl.pytorch.num_threads=1",
      "-Dai.djl.pytorch.num_interop_threads=1"
    })
public class TrainStepBenchmark {
  @Param({"1000000"})
  public int videos;

  @Param({"512", "2048", "8192"})
  public int batch;

  @Param({"2048"})
  public int negatives;

  @Param({"dense", "row-wise", "row-wise-id-only"})
  public String optimizer;

  private NDManager manager;
  private UserTowerBlock tower;
  private SoftmaxBlock softmax;
  private CandidateStep rowWise;
  private AdamUpdater dense;
  private ParameterStore ps;
  private final SampledSoftmaxLoss loss = new SampledSoftmaxLoss();
  private long[] history;
  private long[] tokens;
  private long[] categorical;
  private float[] denseFeatures;
  private long[] positives;
  private float[] positiveLogQ;
  private long[] sampled;
  private float[] sampledLogQ;

  @Setup(Level.Trial)
  public void setUp() {
    manager = NDManager.newBaseManager();
    Engine.getInstance().setRandomSeed(7);
    ModelShapes shapes = ModelShapes.standard(videos, 50_000, 200, 50, 3);
    tower = new UserTowerBlock(shapes);
    tower.initialize(manager, DataType.FLOAT32, UserTowerBlock.inputShapes(batch));
    softmax = new SoftmaxBlock(videos, shapes.dims());
    softmax.initialize(manager, DataType.FLOAT32, new Shape(1, shapes.dims()), new Shape(1));
    if (optimizer.equals("dense")) {
      List<Parameter> params = new ArrayList<>(tower.getParameters().values());
      params.addAll(softmax.getParameters().values());
      dense = new AdamUpdater(params, 0.002f);
      ps = new ParameterStore(manager, false);
    } else {
      UploadFeatures features =
          optimizer.equals("row-wise") ? syntheticFeatures(videos) : UploadFeatures.none();
      rowWise = new CandidateStep(manager, tower, softmax, features, 0.002f);
    }
    SplittableRandom rnd = new SplittableRandom(11);
    history = new long[batch * FeatureEncoder.HISTORY];
    for (int i = 0; i < history.length; i++) {
      history[i] = 1 + rnd.nextInt(videos);
    }
    tokens = new long[batch * FeatureEncoder.TOKENS];
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = rnd.nextInt(50_000);
    }
    categorical = new long[batch * FeatureEncoder.USER_CATEGORICAL];
    denseFeatures = new float[batch * FeatureEncoder.USER_DENSE];
    for (int i = 0; i < denseFeatures.length; i++) {
      denseFeatures[i] = (float) rnd.nextDouble();
    }
    positives = new long[batch];
    positiveLogQ = new float[batch];
    for (int i = 0; i < batch; i++) {
      positives[i] = rnd.nextInt(videos);
    }
    sampled = new long[negatives];
    sampledLogQ = new float[negatives];
    for (int i = 0; i < negatives; i++) {
      sampled[i] = rnd.nextInt(videos);
    }
  }

  /** Topic, channel, language rows shaped like RW-1M's (50 topics, 25,000 channels, 50). */
  static UploadFeatures syntheticFeatures(int videos) {
    int[][] rows = new int[3][videos];
    for (int v = 0; v < videos; v++) {
      rows[0][v] = 1 + v % 50;
      rows[1][v] = 1 + v % 25_000;
      rows[2][v] = 1 + (v / 7) % 50;
    }
    return new UploadFeatures(
        new String[] {"topic", "channel", "language"}, rows, new int[] {51, 25_001, 51});
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    manager.close();
  }

  public static void main(String[] args) {
    TrainStepBenchmark b = new TrainStepBenchmark();
    b.videos = Integer.parseInt(args[0]);
    b.batch = Integer.parseInt(args[1]);
    b.optimizer = args[2];
    b.negatives = 2048;
    int steps = Integer.parseInt(args[3]);
    java.lang.management.ThreadMXBean threads =
        java.lang.management.ManagementFactory.getThreadMXBean();
    b.setUp();
    for (int i = 0; i < 3; i++) {
      b.step(); // warm-up
    }
    long cpu = threads.getCurrentThreadCpuTime();
    long wall = System.nanoTime();
    for (int i = 0; i < steps; i++) {
      b.step();
    }
    double cpuMs = (threads.getCurrentThreadCpuTime() - cpu) / 1e6 / steps;
    double wallMs = (System.nanoTime() - wall) / 1e6 / steps;
    System.out.printf(
        "videos %d batch %d %s: %.1f ms CPU per step (%.0f examples per CPU second), %.1f ms"
            + " wall%n",
        b.videos, b.batch, b.optimizer, cpuMs, b.batch * 1000 / cpuMs, wallMs);
    b.tearDown();
  }

  @Benchmark
  public float step() {
    try (NDManager step = manager.newSubManager()) {
      NDList x =
          new NDList(
              step.create(history, new Shape(batch, FeatureEncoder.HISTORY)),
              step.create(tokens, new Shape(batch, FeatureEncoder.TOKENS)),
              step.create(categorical, new Shape(batch, FeatureEncoder.USER_CATEGORICAL)),
              step.create(denseFeatures, new Shape(batch, FeatureEncoder.USER_DENSE)));
      if (rowWise != null) {
        return rowWise.step(step, x, history, positives, positiveLogQ, sampled, sampledLogQ);
      }
      // The trainer's step before row-wise updates: whole tables through DJL's Adam.
      NDArray pos = step.create(positives);
      NDArray neg = step.create(sampled);
      NDArray hits = SampledSoftmaxLoss.accidentalHits(pos, neg);
      float value;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray u = tower.forward(ps, x, true).singletonOrThrow();
        NDArray posLogits = softmax.pairLogits(ps, u, pos, true);
        NDArray negLogits = softmax.forward(ps, new NDList(u, neg), true).singletonOrThrow();
        NDArray l =
            loss.evaluate(
                new NDList(step.create(positiveLogQ), step.create(sampledLogQ), hits),
                new NDList(posLogits, negLogits));
        gc.backward(l);
        value = l.getFloat();
      }
      dense.step();
      return value;
    }
  }
}
