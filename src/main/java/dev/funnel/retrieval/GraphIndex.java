package dev.funnel.retrieval;

import io.github.jbellis.jvector.disk.ByteBufferReader;
import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.OnHeapGraphIndex;
import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.disk.OnDiskGraphIndex;
import io.github.jbellis.jvector.graph.diversity.VamanaDiversityProvider;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.graph.similarity.SearchScoreProvider;
import io.github.jbellis.jvector.quantization.KMeansPlusPlusClusterer;
import io.github.jbellis.jvector.quantization.PQVectors;
import io.github.jbellis.jvector.quantization.ProductQuantization;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.util.ExplicitThreadLocal;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntPredicate;

/**
 * Approximate maximum-inner-product search over a jvector graph (Vamana with an HNSW-style
 * hierarchy).
 *
 * <p><b>Why L2 and not jvector's DOT_PRODUCT.</b> jvector's DOT_PRODUCT and COSINE assume unit
 * vectors, and softmax video vectors are not (DESIGN.md §7). So the index uses the standard MIPS→L2
 * reduction: each row is x = [w_v, b_v, sqrt(M² − ‖[w_v, b_v]‖²)] with M the largest row norm,
 * every row then has norm M, and for the query q = [u, 1, 0] we have ‖q − x‖² = ‖q‖² + M² − 2(u·w_v
 * + b_v): the nearest rows in L2 are exactly the largest inner products. The graph is searched with
 * jvector's EUCLIDEAN similarity; the returned scores are the exact u·w_v + b_v, recomputed from
 * the rows (K dot products) and sorted.
 *
 * <p><b>Threads.</b> The graph and rows are immutable and shared. A {@link GraphSearcher} is not
 * thread-safe, so each worker thread keeps its own (an {@link ExplicitThreadLocal}, which jvector
 * recommends over {@code ThreadLocal} because it is released with the index, not with the thread).
 * Searches run on inference workers, never on an event loop.
 *
 * <p><b>Compressed walk (PQ).</b> With {@code pqSubspaces > 0} the walk scores nodes by product
 * quantisation (one byte per subspace: 33 bytes per video at 66 dims, 33 MB for 1M videos, which
 * stays in the CPU caches far better than the 264-byte rows) and reranks the best {@code beam}
 * exactly. At RW-1M the graph walk was memory-bound on the full rows (JFR: the distance function
 * held most worker samples even with SIMD); see docs/benchmarks.md.
 *
 * <p><b>Recall knob.</b> {@code beam} (jvector's rerankK: the candidate list kept while walking the
 * graph) trades time for recall; the search uses max(k, beam). At RW-1M, K = 300, with PQ:
 * recall@300 0.950 at beam 300, 0.988 at 350, 0.998 at 400; walking the exact rows, 0.997 at 300
 * and 0.99999 at 400. The default is the exact walk at beam 350 (docs/benchmarks.md).
 *
 * <p><b>On disk.</b> {@code index/graph.jv} (jvector's on-heap graph format v4), {@code
 * index/pq.bin} (codebooks and codes, when built with PQ) and {@code index/graph.json} (parameters,
 * M, sizes). The rows are rebuilt from the bundle's vectors at load (one pass, no graph work), so
 * the server never rebuilds the graph at start.
 */
public final class GraphIndex implements VectorIndex, AutoCloseable {
  public static final String DIR = "index";
  public static final String GRAPH_FILE = "graph.jv";
  public static final String META_FILE = "graph.json";
  public static final String PQ_FILE = "pq.bin";

  /**
   * jvector's vector support, initialised on first use only: initialising it probes the Vector API
   * (and warns on Java < 20), which a model served by the exact index never needs, though it does
   * ask {@link #exists}.
   */
  private static final class Jvector {
    static final VectorTypeSupport VTS = VectorizationProvider.getInstance().getVectorTypeSupport();
  }

  /**
   * Build and search parameters.
   *
   * @param maxDegree graph degree (jvector's M: most neighbours per node on the base layer)
   * @param buildBeam beam width while inserting nodes
   * @param alpha diversity pruning (> 1 keeps some longer edges)
   * @param neighborOverflow temporary extra neighbours while building
   * @param searchBeam default search beam (rerankK); the search uses max(k, searchBeam)
   * @param refine a second pass over every node after insertion to improve its edges (better graph,
   *     roughly double the build time)
   * @param pqSubspaces product-quantisation subspaces for the walk's scores (0 = exact scores on
   *     the full rows; {@link #AUTO_PQ} = one per two row dimensions)
   */
  public record Params(
      int maxDegree,
      int buildBeam,
      float alpha,
      float neighborOverflow,
      int searchBeam,
      boolean refine,
      int pqSubspaces) {
    public static final int AUTO_PQ = -1;

    public Params {
      if (maxDegree < 2 || buildBeam < 1 || searchBeam < 1) {
        throw new IllegalArgumentException("maxDegree >= 2, beams >= 1 required");
      }
      if (!(alpha >= 1f) || !(neighborOverflow >= 1f)) {
        throw new IllegalArgumentException("alpha and neighborOverflow must be >= 1");
      }
      if (pqSubspaces < AUTO_PQ) {
        throw new IllegalArgumentException("pqSubspaces must be >= 0 (or AUTO_PQ)");
      }
    }

    public static Params defaults() {
      return new Params(32, 100, 1.2f, 1.2f, 350, true, 0);
    }

    public Params withSearchBeam(int beam) {
      return new Params(maxDegree, buildBeam, alpha, neighborOverflow, beam, refine, pqSubspaces);
    }

    public Params withPqSubspaces(int subspaces) {
      return new Params(
          maxDegree, buildBeam, alpha, neighborOverflow, searchBeam, refine, subspaces);
    }
  }

  private final ImmutableGraphIndex graph;
  private final RandomAccessVectorValues rows;
  private final int dims;
  private final int size;
  private final Params params;
  private final float maxNorm;
  private final PQVectors pq;
  private final ExplicitThreadLocal<Searcher> searchers;

  /** Per-thread state: the searcher over the graph's view and the query row. */
  private final class Searcher {
    final GraphSearcher searcher = new GraphSearcher(graph);
    final float[] query = new float[dims + 2];
    final VectorFloat<?> queryVector = Jvector.VTS.createFloatVector(query);
  }

  private GraphIndex(
      ImmutableGraphIndex graph,
      RandomAccessVectorValues rows,
      int dims,
      int size,
      Params params,
      float maxNorm,
      PQVectors pq) {
    this.graph = graph;
    this.rows = rows;
    this.dims = dims;
    this.size = size;
    this.params = params;
    this.maxNorm = maxNorm;
    this.pq = pq;
    this.searchers = ExplicitThreadLocal.withInitial(Searcher::new);
  }

  /**
   * Builds the graph over the videos (blocking, uses every core through jvector's pools). At RW-1M
   * this takes minutes; it runs in {@code ./funnel train} or {@code ./funnel build-index}, never in
   * the server.
   *
   * @param vectors row-major {@code bias.length × dims}
   */
  public static GraphIndex build(float[] vectors, float[] bias, int dims, Params params) {
    Rows r = rows(vectors, bias, dims);
    RandomAccessVectorValues ravv = new ListRandomAccessVectorValues(r.list, dims + 2);
    // jvector's default build pool is PhysicalCoreExecutor: half the logical cores, on the guess
    // that they are hyper-threads. On this 2-core VM that is one thread, so pass pools over
    // every core instead (measured: the default used ~1.1 of the 2 cores for the whole build).
    int threads = Runtime.getRuntime().availableProcessors();
    ForkJoinPool pool = new ForkJoinPool(threads);
    try (GraphIndexBuilder builder =
        new GraphIndexBuilder(
            BuildScoreProvider.randomAccessScoreProvider(ravv, VectorSimilarityFunction.EUCLIDEAN),
            dims + 2,
            params.maxDegree(),
            params.buildBeam(),
            params.neighborOverflow(),
            params.alpha(),
            true,
            params.refine(),
            pool,
            pool)) {
      ImmutableGraphIndex graph = builder.build(ravv);
      int subspaces =
          params.pqSubspaces() == Params.AUTO_PQ ? (dims + 2) / 2 : params.pqSubspaces();
      PQVectors pq = null;
      if (subspaces > 0) {
        ProductQuantization codebooks =
            ProductQuantization.compute(
                ravv, subspaces, 256, true, KMeansPlusPlusClusterer.UNWEIGHTED, pool, pool);
        pq = PQVectors.encodeAndBuild(codebooks, ravv.size(), ravv, pool);
      }
      Params resolved =
          new Params(
              params.maxDegree(),
              params.buildBeam(),
              params.alpha(),
              params.neighborOverflow(),
              params.searchBeam(),
              params.refine(),
              subspaces);
      return new GraphIndex(graph, ravv, dims, bias.length, resolved, r.maxNorm, pq);
    } catch (IOException e) {
      throw new IllegalStateException("closing the graph builder failed", e);
    } finally {
      pool.shutdown();
    }
  }

  /** True when {@code modelDir} holds a persisted graph. */
  public static boolean exists(Path modelDir) {
    return Files.isRegularFile(modelDir.resolve(DIR).resolve(GRAPH_FILE))
        && Files.isRegularFile(modelDir.resolve(DIR).resolve(META_FILE));
  }

  /**
   * Loads a graph written by {@link #save} for the same vectors (checked by size and dims).
   *
   * @param searchBeam overrides the persisted default search beam when > 0
   */
  public static GraphIndex load(
      Path modelDir, float[] vectors, float[] bias, int dims, int searchBeam) throws IOException {
    Path dir = modelDir.resolve(DIR);
    io.vertx.core.json.JsonObject meta =
        new io.vertx.core.json.JsonObject(Files.readString(dir.resolve(META_FILE)));
    int size = meta.getInteger("size", -1);
    int metaDims = meta.getInteger("dims", -1);
    if (size != bias.length || metaDims != dims) {
      throw new IOException(
          dir
              + ": graph is for "
              + size
              + " videos × "
              + metaDims
              + " dims, the model has "
              + bias.length
              + " × "
              + dims);
    }
    Params params =
        new Params(
            meta.getInteger("max_degree"),
            meta.getInteger("build_beam"),
            meta.getFloat("alpha"),
            meta.getFloat("neighbor_overflow"),
            searchBeam > 0 ? searchBeam : meta.getInteger("search_beam"),
            meta.getBoolean("refine", true),
            meta.getInteger("pq_subspaces", 0));
    Rows r = rows(vectors, bias, dims);
    RandomAccessVectorValues ravv = new ListRandomAccessVectorValues(r.list, dims + 2);
    ByteBuffer buf = readFully(dir.resolve(GRAPH_FILE));
    BuildScoreProvider bsp =
        BuildScoreProvider.randomAccessScoreProvider(ravv, VectorSimilarityFunction.EUCLIDEAN);
    OnHeapGraphIndex graph;
    try (ByteBufferReader reader = new ByteBufferReader(buf)) {
      graph =
          OnHeapGraphIndex.load(
              reader,
              dims + 2,
              params.neighborOverflow(),
              new VamanaDiversityProvider(bsp, params.alpha()));
    }
    if (graph.size(0) != size) {
      throw new IOException(
          dir.resolve(GRAPH_FILE) + ": graph has " + graph.size(0) + " nodes, expected " + size);
    }
    PQVectors pq = null;
    if (params.pqSubspaces() > 0) {
      try (ByteBufferReader reader = new ByteBufferReader(readFully(dir.resolve(PQ_FILE)))) {
        pq = PQVectors.load(reader);
      }
      if (pq.count() != size) {
        throw new IOException(
            dir.resolve(PQ_FILE) + ": has " + pq.count() + " codes, expected " + size);
      }
    }
    return new GraphIndex(graph, ravv, dims, size, params, r.maxNorm, pq);
  }

  private static ByteBuffer readFully(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      if (ch.size() > Integer.MAX_VALUE) {
        throw new IOException(file + ": larger than 2 GiB");
      }
      ByteBuffer buf = ByteBuffer.allocate((int) ch.size());
      while (buf.hasRemaining() && ch.read(buf) >= 0) {}
      return buf.flip();
    }
  }

  /** Writes {@code index/graph.jv} and {@code index/graph.json} under {@code modelDir}. */
  public void save(Path modelDir, io.vertx.core.json.JsonObject extra) throws IOException {
    Path dir = Files.createDirectories(modelDir.resolve(DIR));
    Path tmp = dir.resolve(GRAPH_FILE + ".tmp");
    try (OutputStream os = Files.newOutputStream(tmp);
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 1 << 20))) {
      ((OnHeapGraphIndex) graph).save(out);
    }
    Files.move(tmp, dir.resolve(GRAPH_FILE), StandardCopyOption.REPLACE_EXISTING);
    if (pq != null) {
      Path pqTmp = dir.resolve(PQ_FILE + ".tmp");
      try (OutputStream os = Files.newOutputStream(pqTmp);
          DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 1 << 20))) {
        pq.write(out, OnDiskGraphIndex.CURRENT_VERSION);
      }
      Files.move(pqTmp, dir.resolve(PQ_FILE), StandardCopyOption.REPLACE_EXISTING);
    } else {
      Files.deleteIfExists(dir.resolve(PQ_FILE));
    }
    io.vertx.core.json.JsonObject meta =
        new io.vertx.core.json.JsonObject()
            .put("library", "io.github.jbellis:jvector:4.0.0-rc.5")
            .put("transform", "mips-to-l2")
            .put("size", size)
            .put("dims", dims)
            .put("max_norm", maxNorm)
            .put("max_degree", params.maxDegree())
            .put("build_beam", params.buildBeam())
            .put("alpha", params.alpha())
            .put("neighbor_overflow", params.neighborOverflow())
            .put("search_beam", params.searchBeam())
            .put("refine", params.refine())
            .put("pq_subspaces", pq == null ? 0 : params.pqSubspaces());
    if (extra != null) {
      meta.mergeIn(extra);
    }
    Files.writeString(dir.resolve(META_FILE), meta.encodePrettily());
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public int dims() {
    return dims;
  }

  public Params params() {
    return params;
  }

  /** True when the walk scores nodes from PQ codes (index/pq.bin) and reranks exactly. */
  public boolean quantizedWalk() {
    return pq != null;
  }

  /**
   * True when jvector computes distances with the Vector API (SIMD). It needs Java ≥ 20 started
   * with {@code --add-modules jdk.incubator.vector} (the {@code ./funnel} launcher adds it); on
   * Java 17 the walk runs a scalar loop, several times slower.
   */
  public static boolean simd() {
    return !VectorizationProvider.getInstance().getClass().getSimpleName().startsWith("Default");
  }

  @Override
  public Candidates search(float[] u, int k, IntPredicate excluded) {
    return search(u, k, params.searchBeam(), excluded);
  }

  /** As {@link #search(float[], int, IntPredicate)} with an explicit beam (benchmarks, recall). */
  public Candidates search(float[] u, int k, int beam, IntPredicate excluded) {
    int cap = resultCap(u, k);
    if (cap == 0) {
      return Candidates.EMPTY;
    }
    Searcher s = searchers.get();
    System.arraycopy(u, 0, s.query, 0, dims);
    s.query[dims] = 1f;
    s.query[dims + 1] = 0f;
    // Copied, not aliased: a vector provider may keep its own storage (off-heap on some JDKs).
    for (int j = 0; j < dims + 2; j++) {
      s.queryVector.set(j, s.query[j]);
    }
    Bits accept = excluded == null ? Bits.ALL : ord -> !excluded.test(ord);
    int kept = Math.max(cap, beam);
    SearchResult result;
    if (pq == null) {
      SearchScoreProvider exact =
          DefaultSearchScoreProvider.exact(s.queryVector, VectorSimilarityFunction.EUCLIDEAN, rows);
      result = s.searcher.search(exact, cap, kept, 0f, 0f, accept);
    } else {
      // All `kept` nodes come back with their PQ scores, and the exact scores below pick the best
      // `cap`: the same rerank as jvector's, without its boxed per-search score cache (7% of the
      // server's CPU at RW-1M, perf).
      SearchScoreProvider quantized =
          new DefaultSearchScoreProvider(
              pq.precomputedScoreFunctionFor(s.queryVector, VectorSimilarityFunction.EUCLIDEAN));
      result = s.searcher.search(quantized, kept, kept, 0f, 0f, accept);
    }
    SearchResult.NodeScore[] nodes = result.getNodes();
    int n = nodes.length;
    long[] packed = new long[n];
    float[] scores = new float[n];
    for (int i = 0; i < n; i++) {
      int id = nodes[i].node;
      VectorFloat<?> row = rows.getVector(id);
      float dot = 0f;
      for (int j = 0; j <= dims; j++) {
        dot += s.query[j] * row.get(j);
      }
      scores[i] = dot;
      // Sort key: score descending, then id; floats' bits order like ints once sign-flipped.
      packed[i] = ((long) sortableBits(-dot) << 32) | (id & 0xffffffffL);
    }
    Arrays.sort(packed);
    int returned = Math.min(cap, n);
    int[] ids = new int[returned];
    float[] sorted = new float[returned];
    for (int i = 0; i < returned; i++) {
      ids[i] = (int) packed[i];
      sorted[i] = -fromSortableBits((int) (packed[i] >> 32));
    }
    return new Candidates(ids, sorted, returned);
  }

  private static int sortableBits(float f) {
    int bits = Float.floatToIntBits(f);
    return bits ^ ((bits >> 31) & 0x7fffffff);
  }

  private static float fromSortableBits(int bits) {
    return Float.intBitsToFloat(bits ^ ((bits >> 31) & 0x7fffffff));
  }

  /** Releases the per-thread searchers. */
  @Override
  public void close() {
    try {
      searchers.close();
    } catch (Exception e) {
      // searchers hold only heap state; nothing to recover
    }
  }

  private record Rows(List<VectorFloat<?>> list, float maxNorm) {}

  /** The MIPS→L2 rows [w, b, sqrt(M² − ‖[w, b]‖²)]. */
  private static Rows rows(float[] vectors, float[] bias, int dims) {
    int size = bias.length;
    if ((long) size * dims != vectors.length) {
      throw new IllegalArgumentException(
          "vectors has " + vectors.length + " floats, expected " + size + " × " + dims);
    }
    double[] norms = new double[size];
    double max = 0;
    for (int v = 0; v < size; v++) {
      double n = (double) bias[v] * bias[v];
      for (int j = 0, base = v * dims; j < dims; j++) {
        n += (double) vectors[base + j] * vectors[base + j];
      }
      norms[v] = n;
      max = Math.max(max, n);
    }
    List<VectorFloat<?>> list = new ArrayList<>(size);
    for (int v = 0; v < size; v++) {
      float[] row = new float[dims + 2];
      System.arraycopy(vectors, v * dims, row, 0, dims);
      row[dims] = bias[v];
      row[dims + 1] = (float) Math.sqrt(Math.max(0, max - norms[v]));
      list.add(Jvector.VTS.createFloatVector(row));
    }
    return new Rows(list, (float) Math.sqrt(max));
  }
}
