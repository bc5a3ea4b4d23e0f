package dev.funnel.quality;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Baseline: matrix factorisation for implicit feedback by alternating least squares (Hu, Koren,
 * Volinsky 2008). Every (user, video) pair is a preference p = 1 if watched else 0, with confidence
 * c = 1 + α for watched pairs and 1 otherwise; each half-step solves the ridge regression of every
 * user (then every video) exactly, using the Gram-matrix trick so that the unwatched pairs cost
 * nothing beyond one d×d product. Score = x_u · y_v.
 */
public final class ImplicitAls implements Recommender {
  private final float[][] userFactors;
  private final float[][] itemFactors;
  private final int videos;

  /**
   * @param factors latent dimension d
   * @param alpha confidence of a watched pair above an unwatched one
   * @param lambda L2 regularisation
   */
  public ImplicitAls(
      int[][] trainItems, int videos, int factors, float alpha, float lambda, int iterations) {
    this(trainItems, videos, factors, alpha, lambda, iterations, 7L);
  }

  /** As above, with the seed of the random initial factors. */
  public ImplicitAls(
      int[][] trainItems,
      int videos,
      int factors,
      float alpha,
      float lambda,
      int iterations,
      long seed) {
    this.videos = videos;
    int users = trainItems.length;
    int[][] userItems = new int[users][];
    int[] degree = new int[videos];
    for (int u = 0; u < users; u++) {
      userItems[u] = Arrays.stream(trainItems[u]).distinct().toArray();
      for (int v : userItems[u]) {
        degree[v]++;
      }
    }
    int[][] itemUsers = new int[videos][];
    for (int v = 0; v < videos; v++) {
      itemUsers[v] = new int[degree[v]];
    }
    int[] fill = new int[videos];
    for (int u = 0; u < users; u++) {
      for (int v : userItems[u]) {
        itemUsers[v][fill[v]++] = u;
      }
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    userFactors = random(users, factors, rnd);
    itemFactors = random(videos, factors, rnd);
    for (int it = 0; it < iterations; it++) {
      solve(userFactors, itemFactors, userItems, factors, alpha, lambda);
      solve(itemFactors, userFactors, itemUsers, factors, alpha, lambda);
    }
  }

  private static float[][] random(int rows, int d, SplittableRandom rnd) {
    float[][] m = new float[rows][d];
    for (float[] row : m) {
      for (int j = 0; j < d; j++) {
        row[j] = (float) (rnd.nextGaussian() * 0.01);
      }
    }
    return m;
  }

  /** x_r = (YᵀY + α Σ_{i∈obs(r)} y_i y_iᵀ + λI)⁻¹ (1 + α) Σ_{i∈obs(r)} y_i for every row r. */
  private static void solve(
      float[][] x, float[][] y, int[][] observed, int d, float alpha, float lambda) {
    double[][] gram = new double[d][d];
    for (float[] row : y) {
      for (int a = 0; a < d; a++) {
        double ra = row[a];
        for (int b = a; b < d; b++) {
          gram[a][b] += ra * row[b];
        }
      }
    }
    double[][] m = new double[d][d];
    double[] rhs = new double[d];
    for (int r = 0; r < x.length; r++) {
      for (int a = 0; a < d; a++) {
        for (int b = a; b < d; b++) {
          m[a][b] = gram[a][b];
        }
        m[a][a] += lambda;
      }
      Arrays.fill(rhs, 0);
      for (int i : observed[r]) {
        float[] yi = y[i];
        for (int a = 0; a < d; a++) {
          double ya = alpha * yi[a];
          for (int b = a; b < d; b++) {
            m[a][b] += ya * yi[b];
          }
          rhs[a] += (1 + alpha) * yi[a];
        }
      }
      for (int a = 0; a < d; a++) {
        for (int b = 0; b < a; b++) {
          m[a][b] = m[b][a];
        }
      }
      double[] sol = cholesky(m, rhs, d);
      for (int a = 0; a < d; a++) {
        x[r][a] = (float) sol[a];
      }
    }
  }

  /** Solves m·z = b for symmetric positive definite m (m is overwritten). */
  static double[] cholesky(double[][] m, double[] b, int d) {
    for (int j = 0; j < d; j++) {
      double s = m[j][j];
      for (int k = 0; k < j; k++) {
        s -= m[j][k] * m[j][k];
      }
      double l = Math.sqrt(Math.max(s, 1e-12));
      m[j][j] = l;
      for (int i = j + 1; i < d; i++) {
        double t = m[i][j];
        for (int k = 0; k < j; k++) {
          t -= m[i][k] * m[j][k];
        }
        m[i][j] = t / l;
      }
    }
    double[] z = new double[d];
    for (int i = 0; i < d; i++) {
      double t = b[i];
      for (int k = 0; k < i; k++) {
        t -= m[i][k] * z[k];
      }
      z[i] = t / m[i][i];
    }
    for (int i = d - 1; i >= 0; i--) {
      double t = z[i];
      for (int k = i + 1; k < d; k++) {
        t -= m[k][i] * z[k];
      }
      z[i] = t / m[i][i];
    }
    return z;
  }

  @Override
  public String name() {
    return "als-mf";
  }

  @Override
  public int[] recommend(int user, int k, boolean[] excluded) {
    float[] xu = userFactors[user];
    float[] scores = new float[videos];
    for (int v = 0; v < videos; v++) {
      float[] yv = itemFactors[v];
      float s = 0;
      for (int j = 0; j < xu.length; j++) {
        s += xu[j] * yv[j];
      }
      scores[v] = s;
    }
    return Recommender.topK(scores, excluded, k);
  }
}
