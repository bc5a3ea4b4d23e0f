package dev.funnel.pipeline;

import dev.funnel.features.UserProfile;
import dev.funnel.models.FeatureEncoder;
import dev.funnel.models.ResolvedUser;
import dev.funnel.ranking.ExclusionSet;
import dev.funnel.ranking.Ranker;
import dev.funnel.ranking.ScoredVideos;
import dev.funnel.ranking.TopN;
import dev.funnel.retrieval.CandidateRetriever;
import dev.funnel.retrieval.Candidates;
import java.util.List;

/**
 * Watch-next for a playing video p, as three steps that {@link RecommendPipeline} times apart and
 * that {@code quality.WatchNextEvaluation} replays with the same code:
 *
 * <ol>
 *   <li><b>Query.</b> p's item vector i_p ({@link ItemVector}: by default p's own index row w_p).
 *       For a known user the query is q = α·u + (1−α)·s·i_p with s = ‖u‖/‖i_p‖, so that α weighs
 *       two vectors of equal length; without a profile it is i_p alone (pure item-to-item).
 *   <li><b>Candidates.</b> The top K of q; optionally the top {@link Params#neighbours} of i_p
 *       first. p and the user's watched videos are excluded by the caller's {@link ExclusionSet}.
 *   <li><b>Order.</b> The ranker's expected watch time is blended with the similarity to p after
 *       the ranker: score = z(log watch) + β·z(i_p·w_v + b_v), z = standardised over the
 *       candidates. The ranker is trained for the home feed and pulls every list back towards the
 *       user's general taste; β keeps the list about p.
 * </ol>
 *
 * <p>The defaults were chosen on watches before the model's cutoff (RW-small and the tiny world
 * chose the same setting): the softmax row beat the tower's vector for a one-video history, extra
 * neighbour candidates lowered HitRate, and β = 1 both raised HitRate and cut the overlap with the
 * home feed (docs/quality.md, "Watch-next"). The ranker, {@code RankerBlock} and the trainer are
 * unchanged: the similarity term is applied here, after them. Stateless and thread-safe; the
 * retriever and ranker passed in belong to the calling worker.
 */
public final class WatchNext {

  /**
   * @param alpha weight of the user vector in the query, in [0, 1] (0 = item-to-item only)
   * @param neighbours candidates taken from p's own neighbourhood before the blended query's
   * @param similarity β, weight of the standardised similarity to p after the ranker (0 = ranker
   *     order)
   * @param item where p's item vector comes from
   */
  public record Params(float alpha, int neighbours, float similarity, ItemVector item) {
    /** Chosen on RW-small validation watches (docs/quality.md, "Watch-next"). */
    public static final Params DEFAULT = new Params(0.9f, 0, 1f, ItemVector.SOFTMAX_ROW);

    public Params {
      if (item == null) {
        throw new IllegalArgumentException("item vector kind is required");
      }
      if (!(alpha >= 0f && alpha <= 1f)) {
        throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
      }
      if (neighbours < 0) {
        throw new IllegalArgumentException("neighbours must be >= 0, got " + neighbours);
      }
      if (!(similarity >= 0f) || Float.isInfinite(similarity)) {
        throw new IllegalArgumentException("similarity must be finite and >= 0, got " + similarity);
      }
    }
  }

  /** Where the playing video's item vector i_p comes from. */
  public enum ItemVector {
    /** The user tower's vector for an anonymous profile whose only watch is p. */
    TOWER,
    /** p's own softmax row w_p (the index row). */
    SOFTMAX_ROW
  }

  private WatchNext() {}

  /**
   * The item vector i_p of {@code playing} (dense id {@code playingId} in the index).
   *
   * @param videoVectors the index's rows w_v, row-major
   */
  public static float[] itemVector(
      ItemVector kind,
      CandidateRetriever retriever,
      FeatureEncoder encoder,
      int playingId,
      float[] videoVectors,
      int dims,
      long nowTs) {
    if (kind == ItemVector.SOFTMAX_ROW) {
      return java.util.Arrays.copyOfRange(videoVectors, playingId * dims, playingId * dims + dims);
    }
    return towerVector(retriever, encoder, playingId, nowTs);
  }

  private static float[] towerVector(
      CandidateRetriever retriever, FeatureEncoder encoder, int playingId, long nowTs) {
    UserProfile anonymous = UserProfile.anonymous("");
    UserProfile only =
        new UserProfile(
            "",
            anonymous.geo(),
            anonymous.language(),
            anonymous.gender(),
            anonymous.age(),
            List.of(new UserProfile.Watched(encoder.catalog().id(playingId), nowTs)),
            List.of(),
            java.util.Map.of());
    return retriever.userVector(encoder.resolve(only), nowTs);
  }

  /** q = α·u + (1−α)·(‖u‖/‖item‖)·item; the item alone when α = 0 or u is null. */
  public static float[] blend(float[] u, float[] item, float alpha) {
    if (u == null || alpha == 0f) {
      return item;
    }
    double nu = norm(u);
    double ni = norm(item);
    float s = ni > 0 ? (float) (nu / ni) : 0f;
    float[] q = new float[u.length];
    for (int j = 0; j < q.length; j++) {
      q[j] = alpha * u[j] + (1f - alpha) * s * item[j];
    }
    return q;
  }

  /**
   * The related candidates: up to {@code neighbours} of {@code item}'s top first, then {@code
   * query}'s, no duplicates, at most {@code k}. Scores are each source's own retrieval score (the
   * ranker reads them as a feature).
   */
  public static Candidates candidates(
      CandidateRetriever retriever,
      float[] item,
      float[] query,
      int k,
      int neighbours,
      ExclusionSet excluded) {
    if (query == item || neighbours == 0) {
      return retriever.search(query, k, excluded);
    }
    Candidates near = retriever.search(item, Math.min(neighbours, k), excluded);
    Candidates blended = retriever.search(query, k, excluded);
    int[] ids = new int[k];
    float[] scores = new float[k];
    int n = 0;
    for (int i = 0; i < near.size() && n < k; i++) {
      ids[n] = near.ids()[i];
      scores[n++] = near.scores()[i];
    }
    for (int i = 0; i < blended.size() && n < k; i++) {
      int id = blended.ids()[i];
      if (!contains(near, id)) {
        ids[n] = id;
        scores[n++] = blended.scores()[i];
      }
    }
    return new Candidates(ids, scores, n);
  }

  /**
   * The final list: ranker scores blended with the similarity to p, best first (see the class
   * comment). The returned scores are the blended ordering scores, not seconds.
   *
   * @param videoVectors the index's rows w_v, row-major, {@code dims} per video
   * @param videoBias b_v
   */
  public static ScoredVideos order(
      Ranker ranker,
      ResolvedUser user,
      Candidates candidates,
      float[] item,
      float[] videoVectors,
      float[] videoBias,
      long nowTs,
      ExclusionSet excluded,
      int count,
      int[] fallback,
      float similarity) {
    int n = candidates.size();
    if (n == 0) {
      return TopN.select(new int[0], new float[0], 0, excluded, count, fallback);
    }
    float[] watch = ranker.score(user, candidates, nowTs);
    float[] score = new float[n];
    for (int c = 0; c < n; c++) {
      score[c] = (float) Math.log(Math.max(watch[c], 1e-3f));
    }
    standardise(score, n);
    if (similarity > 0f) {
      float[] sim = similarities(candidates, item, videoVectors, videoBias);
      standardise(sim, n);
      for (int c = 0; c < n; c++) {
        score[c] += similarity * sim[c];
      }
    }
    return TopN.select(candidates.ids(), score, n, excluded, count, fallback);
  }

  /** i_p·w_v + b_v for each candidate. */
  static float[] similarities(
      Candidates candidates, float[] item, float[] videoVectors, float[] videoBias) {
    int d = item.length;
    float[] sim = new float[candidates.size()];
    for (int c = 0; c < sim.length; c++) {
      int v = candidates.ids()[c];
      float s = videoBias[v];
      for (int j = 0, base = v * d; j < d; j++) {
        s += item[j] * videoVectors[base + j];
      }
      sim[c] = s;
    }
    return sim;
  }

  private static void standardise(float[] x, int n) {
    double mean = 0;
    for (int i = 0; i < n; i++) {
      mean += x[i];
    }
    mean /= n;
    double var = 0;
    for (int i = 0; i < n; i++) {
      var += (x[i] - mean) * (x[i] - mean);
    }
    double sd = Math.sqrt(var / n);
    for (int i = 0; i < n; i++) {
      x[i] = sd > 1e-9 ? (float) ((x[i] - mean) / sd) : 0f;
    }
  }

  private static boolean contains(Candidates c, int id) {
    for (int i = 0; i < c.size(); i++) {
      if (c.ids()[i] == id) {
        return true;
      }
    }
    return false;
  }

  private static double norm(float[] x) {
    double s = 0;
    for (float v : x) {
      s += (double) v * v;
    }
    return Math.sqrt(s);
  }
}
