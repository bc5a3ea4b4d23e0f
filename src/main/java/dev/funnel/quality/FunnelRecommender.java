package dev.funnel.quality;

import dev.funnel.features.UserProfile;
import dev.funnel.models.ModelBundle;
import dev.funnel.models.RankerModel;
import dev.funnel.models.ServingOrder;
import dev.funnel.models.UserTower;
import java.util.Arrays;

/**
 * The trained model through its serving predictors: retrieval alone (top K of u·w_v + b_v over the
 * whole catalogue, as the exact index serves it) or the funnel as served (the top {@link
 * #CANDIDATES} by retrieval in the version's recorded {@link ServingOrder}: re-ordered by the
 * ranker's expected watch time, or left in retrieval's order when training chose that). Dense ids
 * are the dataset's; the bundle's catalogue is mapped onto them.
 *
 * <p>A request at a past time t is replayed with the example age the model was trained to expect
 * for it: the end of its training − t (at serving, requests come at the end of training, age 0).
 */
final class FunnelRecommender implements Recommender, AutoCloseable {
  static final int CANDIDATES = 300;

  private final ModelBundle bundle;
  private final Profiles profiles;
  private final long[] requestTs;
  private final int historyLength;
  private final boolean rank;
  private final UserTower tower;
  private final RankerModel ranker;
  private final int[] toBundle;
  private final int[] fromBundle;
  private final long trainedTo;

  FunnelRecommender(
      ModelBundle bundle, Profiles profiles, long[] requestTs, int historyLength, boolean rank) {
    this.bundle = bundle;
    this.profiles = profiles;
    this.requestTs = requestTs;
    this.historyLength = historyLength;
    this.rank = rank;
    this.tower = bundle.newUserTower();
    this.ranker = rank ? bundle.newRanker(CANDIDATES) : null;
    int videos = profiles.data().videos().size();
    toBundle = new int[videos];
    fromBundle = new int[bundle.catalog().size()];
    Arrays.fill(fromBundle, -1);
    for (int v = 0; v < videos; v++) {
      toBundle[v] = bundle.catalog().index(profiles.data().videos().get(v).id());
      if (toBundle[v] >= 0) {
        fromBundle[toBundle[v]] = v;
      }
    }
    trainedTo = trainedTo(bundle);
  }

  /** The end of the published candidate model's training window (0 when not recorded). */
  static long trainedTo(ModelBundle bundle) {
    return bundle.trainedToTs();
  }

  /** The example age of a request replayed at ts: end of training − ts, never negative. */
  float exampleAge(long ts) {
    return trainedTo > ts ? trainedTo - ts : 0f;
  }

  @Override
  public String name() {
    return rank ? "funnel" : "retrieval";
  }

  /** u·w_v + b_v for every dataset video (−∞ for videos the bundle lacks). */
  float[] retrievalScores(UserProfile profile, long ts) {
    float[] uv = tower.userVector(profile, ts, exampleAge(ts));
    float[] w = bundle.videoVectors();
    float[] b = bundle.videoBias();
    int d = bundle.dims();
    float[] scores = new float[toBundle.length];
    for (int v = 0; v < toBundle.length; v++) {
      int j = toBundle[v];
      if (j < 0) {
        scores[v] = Float.NEGATIVE_INFINITY;
        continue;
      }
      float s = b[j];
      int base = j * d;
      for (int k = 0; k < d; k++) {
        s += uv[k] * w[base + k];
      }
      scores[v] = s;
    }
    return scores;
  }

  @Override
  public int[] recommend(int user, int k, boolean[] excluded) {
    long ts = requestTs[user];
    UserProfile profile = profiles.at(user, ts, historyLength);
    float[] scores = retrievalScores(profile, ts);
    if (!rank || bundle.servingOrder() == ServingOrder.RETRIEVAL) {
      return Recommender.topK(scores, excluded, k);
    }
    int[] candidates = Recommender.topK(scores, excluded, Math.max(k, CANDIDATES));
    int n = Math.min(candidates.length, CANDIDATES);
    int[] inBundle = new int[n];
    float[] retrieval = new float[n];
    for (int c = 0; c < n; c++) {
      inBundle[c] = toBundle[candidates[c]];
      retrieval[c] = scores[candidates[c]];
    }
    float[] watch = ranker.expectedWatchSeconds(profile, inBundle, retrieval, n, ts);
    float[] byCandidate = Arrays.copyOf(watch, n);
    int[] order = Recommender.topK(byCandidate, null, Math.min(k, n));
    int[] out = new int[order.length];
    for (int i = 0; i < order.length; i++) {
      out[i] = candidates[order[i]];
    }
    return out;
  }

  /** The order {@link #recommend} serves in ({@code retrieval} for retrieval alone). */
  String servedOrder() {
    return rank ? bundle.servingOrder().label() : ServingOrder.RETRIEVAL.label();
  }

  /** Expected watch seconds of the given dataset videos for user u at ts (ranker only). */
  float[] rankerScores(int user, long ts, int[] videos, float[] retrieval) {
    UserProfile profile = profiles.at(user, ts, historyLength);
    int[] inBundle = new int[videos.length];
    for (int c = 0; c < videos.length; c++) {
      inBundle[c] = toBundle[videos[c]];
    }
    return ranker.expectedWatchSeconds(profile, inBundle, retrieval, videos.length, ts);
  }

  UserProfile profile(int user, long ts) {
    return profiles.at(user, ts, historyLength);
  }

  @Override
  public void close() {
    tower.close();
    if (ranker != null) {
      ranker.close();
    }
  }
}
