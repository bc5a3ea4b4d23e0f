package dev.funnel.bench;

import dev.funnel.features.UserProfile;
import dev.funnel.features.UserProfileCodec;
import dev.funnel.models.BenchForwards;
import dev.funnel.models.ModelBundle;
import dev.funnel.models.RankerModel;
import dev.funnel.models.ResolvedUser;
import dev.funnel.models.UserTower;
import dev.funnel.retrieval.Candidates;
import dev.funnel.retrieval.ExactIndex;
import dev.funnel.retrieval.GraphIndex;
import dev.funnel.retrieval.VectorIndex;
import java.util.List;
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
 * One benchmark per request stage, on one thread, over a real model version. Inputs (profiles,
 * encoded bytes, user vectors, candidates) are precomputed in setup and cycled through, so no
 * benchmark measures its own input generation.
 *
 * <pre>
 * mvn -B -Pbench -DskipTests package
 * java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 \
 *   -Dfunnel.bench.models=/tmp/rw1m-models -jar target/funnel-bench.jar StageBenchmarks
 * </pre>
 *
 * <p>{@code -p forward=block-grad,block,direct} compares the models' forwards side by side ({@link
 * BenchForwards}).
 */
@State(Scope.Thread)
@BenchmarkMode({Mode.SampleTime})
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
public class StageBenchmarks {
  private static final int N = 256;

  /** graph = the persisted ANN index (when the model has one); exact = the flat scan. */
  @Param({"graph"})
  public String index;

  @Param({"300"})
  public int k;

  /** The models' forward: direct (served), block, block-grad (see {@link BenchForwards}). */
  @Param({"direct"})
  public String forward;

  private ModelBundle bundle;
  private UserTower tower;
  private RankerModel ranker;
  private VectorIndex vectorIndex;
  private List<UserProfile> profiles;
  private ResolvedUser[] users;
  private byte[][] encoded;
  private float[][] userVectors;
  private Candidates[] candidates;
  private long now;
  private int i;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    bundle = BenchModel.bundle();
    now = bundle.dataEndTs();
    tower = BenchForwards.tower(bundle, forward);
    ranker = BenchForwards.ranker(bundle, forward, k);
    vectorIndex =
        index.equals("graph") && GraphIndex.exists(bundle.directory())
            ? GraphIndex.load(
                bundle.directory(), bundle.videoVectors(), bundle.videoBias(), bundle.dims(), 0)
            : ExactIndex.build(bundle.videoVectors(), bundle.videoBias(), bundle.dims());
    profiles = BenchModel.profiles(bundle, N);
    encoded = new byte[N][];
    userVectors = new float[N][];
    candidates = new Candidates[N];
    users = new ResolvedUser[N];
    for (int j = 0; j < N; j++) {
      users[j] = bundle.encoder().resolve(profiles.get(j));
      encoded[j] = UserProfileCodec.encode(profiles.get(j));
      userVectors[j] = tower.userVector(profiles.get(j), now);
      candidates[j] = vectorIndex.search(userVectors[j], k, null);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    tower.close();
    ranker.close();
  }

  private int next() {
    i = (i + 1) & (N - 1);
    return i;
  }

  /** Redis value bytes → UserProfile (the event loop's share of the request). */
  @Benchmark
  public UserProfile featureDecode() {
    int j = next();
    return UserProfileCodec.decode("u" + j, encoded[j]);
  }

  /** Feature encoding + one DJL forward of the user tower. */
  @Benchmark
  public float[] userTower() {
    return tower.userVector(profiles.get(next()), now);
  }

  /** One forward of the user tower for a user resolved beforehand (the worker's share). */
  @Benchmark
  public float[] userTowerResolved() {
    return tower.userVector(users[next()], now);
  }

  /** Top-K of u·w + b over every video. */
  @Benchmark
  public Candidates indexSearch() {
    return vectorIndex.search(userVectors[next()], k, null);
  }

  /** Feature encoding of K candidates + one batched DJL forward of the ranker. */
  @Benchmark
  public float[] ranker() {
    int j = next();
    Candidates c = candidates[j];
    return ranker.expectedWatchSeconds(profiles.get(j), c.ids(), c.scores(), c.size(), now);
  }

  /** The ranker for a user resolved beforehand (the worker's share: encoding + forward). */
  @Benchmark
  public float[] rankerResolved() {
    int j = next();
    Candidates c = candidates[j];
    return ranker.expectedWatchSeconds(users[j], c.ids(), c.scores(), c.size(), now);
  }
}
