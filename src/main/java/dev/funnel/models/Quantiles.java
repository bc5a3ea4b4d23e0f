package dev.funnel.models;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Empirical CDFs of the ranker's continuous features, from training data: each feature keeps {@code
 * n} sorted quantile edges, and {@link #cdf} maps a raw value to [0, 1] by interpolating between
 * them. Values tied with several edges (counts that are often 0) get the middle of their rank
 * range, so a mass point does not collapse to one end. Immutable and thread-safe.
 */
public final class Quantiles {
  static final String FILE = "quantiles.json";

  private final List<String> names;
  private final float[][] edges;

  public Quantiles(List<String> names, float[][] edges) {
    if (names.size() != edges.length) {
      throw new IllegalArgumentException("one edge list per feature");
    }
    for (float[] e : edges) {
      if (e.length < 2) {
        throw new IllegalArgumentException("a feature needs at least 2 quantile edges");
      }
      for (int i = 1; i < e.length; i++) {
        if (e[i] < e[i - 1]) {
          throw new IllegalArgumentException("quantile edges must be sorted");
        }
      }
    }
    this.names = List.copyOf(names);
    this.edges = edges;
  }

  /** Quantile edges (count + 1 of them, min and max included) of each feature's values. */
  public static Quantiles fit(List<String> names, float[][] values, int count) {
    float[][] edges = new float[values.length][];
    for (int f = 0; f < values.length; f++) {
      float[] sorted = values[f].clone();
      Arrays.sort(sorted);
      float[] e = new float[count + 1];
      for (int q = 0; q <= count; q++) {
        if (sorted.length == 0) {
          e[q] = q;
        } else {
          e[q] = sorted[(int) Math.min(sorted.length - 1, (long) q * (sorted.length - 1) / count)];
        }
      }
      edges[f] = e;
    }
    return new Quantiles(names, edges);
  }

  public int features() {
    return edges.length;
  }

  /** Empirical CDF of feature f at x, in [0, 1]. */
  public float cdf(int feature, float x) {
    float[] e = edges[feature];
    int n = e.length;
    int lower = SortedArrays.firstAtOrAfter(e, x); // edges < x
    // edges <= x: a second search only when x ties an edge (the ranker calls this 1,500 times a
    // request, mostly with untied values)
    int upper = lower < n && e[lower] == x ? upperBound(e, x) : lower;
    if (upper > lower) {
      return ((lower + upper - 1) / 2f) / (n - 1);
    }
    if (lower == 0) {
      return 0f;
    }
    if (lower == n) {
      return 1f;
    }
    float lo = e[lower - 1];
    float hi = e[lower];
    return (lower - 1 + (x - lo) / (hi - lo)) / (n - 1);
  }

  private static int upperBound(float[] e, float x) {
    int lo = 0, hi = e.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (e[mid] <= x) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  public JsonObject toJson() {
    JsonObject features = new JsonObject();
    for (int f = 0; f < edges.length; f++) {
      JsonArray a = new JsonArray();
      for (float v : edges[f]) {
        a.add(v);
      }
      features.put(names.get(f), a);
    }
    return new JsonObject().put("features", new JsonArray(names)).put("edges", features);
  }

  public static Quantiles fromJson(JsonObject json) {
    JsonArray names = json.getJsonArray("features");
    JsonObject all = json.getJsonObject("edges");
    float[][] edges = new float[names.size()][];
    String[] n = new String[names.size()];
    for (int f = 0; f < n.length; f++) {
      n[f] = names.getString(f);
      JsonArray a = all.getJsonArray(n[f]);
      edges[f] = new float[a.size()];
      for (int i = 0; i < a.size(); i++) {
        edges[f][i] = a.getFloat(i);
      }
    }
    return new Quantiles(List.of(n), edges);
  }

  public void write(Path file) throws IOException {
    Files.writeString(file, toJson().encodePrettily() + "\n");
  }

  public static Quantiles read(Path file) throws IOException {
    return fromJson(new JsonObject(Files.readString(file)));
  }
}
