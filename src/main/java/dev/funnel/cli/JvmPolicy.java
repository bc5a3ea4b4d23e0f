package dev.funnel.cli;

import dev.funnel.retrieval.VectorIndexes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The JVM, heap and collector {@code ./funnel serve} runs with, chosen for the model it loads from
 * what docs/benchmarks.md measured. Below the ANN graph's size the index is an exact scan and JVM
 * defaults serve well. At or above it: the newest JDK ≥ 20 (the index walk uses SIMD there); with
 * the model's PQ codes, generational ZGC in a fixed heap with room above the model's live data (the
 * third pass: p99 9–10 ms in the first minute at RW-1M, against 10.5–12.9 ms for G1); without them
 * G1 in a fixed heap (with G1 the exact walk was the faster one). An explicit {@code FUNNEL_JAVA}
 * or {@code FUNNEL_JAVA_OPTS} always wins over the choice.
 */
final class JvmPolicy {
  /** Heap per million videos: ZGC ran without stalls in 2.5 GB at RW-1M (1.2 GB live), G1 in 2. */
  static final int ZGC_HEAP_MB_PER_MILLION = 2560;

  static final int G1_HEAP_MB_PER_MILLION = 2048;
  static final int MIN_FIXED_HEAP_MB = 1024;

  /** A JDK: its java binary and feature release (17, 21, 25...). */
  record Jdk(String java, int feature) {}

  /**
   * What the choice depends on.
   *
   * @param videos the model's catalogue size
   * @param pqCodes whether the model's index has PQ codes (then the server walks with them)
   * @param current the java the launcher would run (FUNNEL_JAVA or java on the PATH)
   * @param installed JDKs found under /usr/lib/jvm
   * @param explicitJava FUNNEL_JAVA was given
   * @param explicitOpts FUNNEL_JAVA_OPTS was given
   */
  record Facts(
      long videos,
      boolean pqCodes,
      Jdk current,
      List<Jdk> installed,
      boolean explicitJava,
      boolean explicitOpts) {}

  /** The JVM to run, its options (empty = JVM defaults, or FUNNEL_JAVA_OPTS) and why. */
  record Choice(String java, String opts, List<String> reasons) {}

  private JvmPolicy() {}

  static Choice choose(Facts f) {
    List<String> why = new ArrayList<>();
    boolean large = f.videos() >= VectorIndexes.AUTO_GRAPH_MIN_VIDEOS;
    Jdk jdk = f.current();
    if (!large) {
      why.add(
          f.videos()
              + " videos (< "
              + VectorIndexes.AUTO_GRAPH_MIN_VIDEOS
              + "): exact index; Java "
              + jdk.feature()
              + " with the JVM's default heap and collector");
      return new Choice(jdk.java(), "", why);
    }
    if (f.explicitJava()) {
      why.add("FUNNEL_JAVA given: Java " + jdk.feature());
    } else {
      Optional<Jdk> newest =
          f.installed().stream()
              .filter(j -> j.feature() >= 20)
              .max(Comparator.comparingInt(Jdk::feature));
      if (newest.isPresent() && newest.get().feature() > jdk.feature()) {
        jdk = newest.get();
      }
      why.add(
          jdk.feature() >= 20
              ? f.videos()
                  + " videos: ANN graph; Java "
                  + jdk.feature()
                  + " for the SIMD index walk"
              : f.videos()
                  + " videos: ANN graph, but no JDK >= 20 under /usr/lib/jvm: the index walk runs"
                  + " without SIMD (install one, or set FUNNEL_JAVA)");
    }
    if (f.explicitOpts()) {
      why.add("FUNNEL_JAVA_OPTS given: used as is");
      return new Choice(jdk.java(), "", why);
    }
    String opts;
    if (f.pqCodes() && jdk.feature() >= 21) {
      int heap = heapMb(f.videos(), ZGC_HEAP_MB_PER_MILLION);
      // Generational ZGC is the default only from JDK 23.
      opts =
          "-Xms"
              + heap
              + "m -Xmx"
              + heap
              + "m -XX:+UseZGC"
              + (jdk.feature() < 23 ? " -XX:+ZGenerational" : "");
      why.add(
          "PQ codes in the model: generational ZGC in a fixed "
              + heap
              + " MB heap, measured best with the PQ walk (docs/benchmarks.md, third pass)");
    } else {
      int heap = heapMb(f.videos(), G1_HEAP_MB_PER_MILLION);
      opts = "-Xms" + heap + "m -Xmx" + heap + "m";
      why.add(
          f.pqCodes()
              ? "PQ codes in the model, but ZGC needs Java >= 21: G1 in a fixed "
                  + heap
                  + " MB heap"
              : "no PQ codes in the model: G1 in a fixed "
                  + heap
                  + " MB heap, measured better than ZGC for the exact walk (build PQ codes with"
                  + " ./funnel build-index --pq-subspaces -1 for the ZGC + PQ setup)");
    }
    return new Choice(jdk.java(), opts, why);
  }

  // Linear in the catalogue (vectors, graph and catalogue dominate the live data), 256 MB steps.
  static int heapMb(long videos, int mbPerMillion) {
    long mb = Math.max(MIN_FIXED_HEAP_MB, (videos * mbPerMillion + 999_999) / 1_000_000);
    return (int) ((mb + 255) / 256 * 256);
  }
}
