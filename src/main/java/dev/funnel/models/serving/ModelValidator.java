package dev.funnel.models.serving;

import dev.funnel.features.UserProfile;
import dev.funnel.models.ModelBundle;
import dev.funnel.models.ResolvedUser;
import dev.funnel.retrieval.Candidates;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Checks a freshly built {@link ServingModel} before it may replace the one being served: the
 * shapes agree, a test forward of both models gives finite numbers, and the index finds what an
 * exact scan finds (recall spot-check, which matters once the index is approximate). Blocking; runs
 * off the request path on a model nobody serves yet.
 */
public final class ModelValidator {
  /** Users probed: the anonymous user plus users who watched one of the most popular videos. */
  static final int PROBES = 8;

  /** Top-k compared in the recall spot-check. */
  static final int RECALL_K = 10;

  /** Lowest acceptable mean recall@10 of the index against the exact scan. */
  static final double MIN_RECALL = 0.9;

  private ModelValidator() {}

  /**
   * @throws InvalidModelException saying what is wrong, in words fit for an operator
   */
  public static void validate(ServingModel m) {
    ModelBundle b = m.bundle();
    int videos = b.catalog().size();
    int dims = b.dims();
    if (m.index().size() != videos) {
      throw new InvalidModelException(
          "index has " + m.index().size() + " videos, catalog " + videos);
    }
    if (m.index().dims() != dims || b.videoVectors().length != (long) videos * dims) {
      throw new InvalidModelException("video vectors do not match " + videos + " × " + dims);
    }
    if (b.videoBias().length != videos) {
      throw new InvalidModelException("video bias has " + b.videoBias().length + " entries");
    }
    if (b.popular().length == 0) {
      throw new InvalidModelException("no popular videos (the degraded answer needs them)");
    }
    PredictorPool.Predictors p;
    try {
      p = m.predictors().borrow(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InvalidModelException("interrupted");
    }
    if (p == null) {
      throw new InvalidModelException("no predictor free for the test forward");
    }
    try {
      long now = m.clock().nowTs();
      double recall = 0;
      List<UserProfile> probes = probes(b, now);
      for (UserProfile profile : probes) {
        ResolvedUser probe = b.encoder().resolve(profile);
        float[] u = p.retriever().userVector(probe, now);
        if (u.length != dims || !finite(u)) {
          throw new InvalidModelException(
              "user tower gives "
                  + u.length
                  + " dims or non-finite values (expected "
                  + dims
                  + ")");
        }
        int k = Math.min(RECALL_K, videos);
        Candidates got = m.index().search(u, k, null);
        recall += recall(exactTop(b, u, k), got);
        float[] scores = p.ranker().score(probe, got, now);
        for (int i = 0; i < got.size(); i++) {
          if (!Float.isFinite(scores[i]) || scores[i] < 0) {
            throw new InvalidModelException("ranker gives a non-finite or negative score");
          }
        }
      }
      recall /= probes.size();
      if (recall < MIN_RECALL) {
        throw new InvalidModelException(
            String.format(
                "index recall@%d against an exact scan is %.2f, below %.2f",
                RECALL_K, recall, MIN_RECALL));
      }
    } finally {
      m.predictors().release(p);
    }
  }

  private static List<UserProfile> probes(ModelBundle b, long now) {
    List<UserProfile> out = new ArrayList<>();
    out.add(UserProfile.anonymous("probe"));
    int[] popular = b.popular();
    for (int i = 0; out.size() < PROBES && i < popular.length; i++) {
      String video = b.catalog().id(popular[i]);
      out.add(
          new UserProfile(
              "probe" + i,
              "",
              "",
              "u",
              30,
              List.of(new UserProfile.Watched(video, now - 3600)),
              List.of(),
              java.util.Map.of()));
    }
    return out;
  }

  private static boolean finite(float[] v) {
    for (float x : v) {
      if (!Float.isFinite(x)) {
        return false;
      }
    }
    return true;
  }

  /** The ids of the exact top k by u·w + b (a plain scan, independent of the index code). */
  static int[] exactTop(ModelBundle b, float[] u, int k) {
    float[] w = b.videoVectors();
    float[] bias = b.videoBias();
    int dims = u.length;
    int n = bias.length;
    float[] score = new float[n];
    for (int v = 0; v < n; v++) {
      float s = bias[v];
      for (int j = 0; j < dims; j++) {
        s += u[j] * w[v * dims + j];
      }
      score[v] = s;
    }
    return java.util.stream.IntStream.range(0, n)
        .boxed()
        .sorted((x, y) -> Float.compare(score[y], score[x]))
        .limit(k)
        .mapToInt(Integer::intValue)
        .toArray();
  }

  private static double recall(int[] truth, Candidates got) {
    if (truth.length == 0) {
      return 1;
    }
    Set<Integer> found = new HashSet<>();
    for (int i = 0; i < got.size(); i++) {
      found.add(got.ids()[i]);
    }
    int hit = 0;
    for (int t : truth) {
      if (found.contains(t)) {
        hit++;
      }
    }
    return hit / (double) truth.length;
  }

  /** A model that must not be served; the message is for the operator. */
  public static final class InvalidModelException extends RuntimeException {
    public InvalidModelException(String message) {
      super(message, null, false, false);
    }
  }
}
