package dev.funnel.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.funnel.models.FeatureEncoder;
import dev.funnel.models.SoftmaxBlock;
import dev.funnel.models.UserInputs;
import dev.funnel.models.UserTowerBlock;
import java.util.Arrays;

/**
 * A candidate model's validation score for early stopping: Recall@{@value #AT} of each user's next
 * new watch in a window [from, to) that the model did not train on, as the {@link Evaluator}
 * measures the held-out tail: the user as of {@code from} (example age 0, as serving), the target
 * the first watch in the window of a video not watched before {@code from}, those earlier videos
 * excluded from the ranking, the exact top over every video ({@link ExactTopK}). Users are taken
 * with a fixed stride, at most {@value #MAX_USERS}.
 */
final class NextWatchValidation {
  static final int AT = 50;
  static final int MAX_USERS = 5_000;
  private static final int BATCH = 256;

  private final EncodedUsers users;
  private final FeatureEncoder encoder;
  private final long from;
  private final long to;
  private final int[] user;
  private final int[] target;
  private final int[][] excluded;

  private NextWatchValidation(
      EncodedUsers users,
      FeatureEncoder encoder,
      long from,
      long to,
      int[] user,
      int[] target,
      int[][] excluded) {
    this.users = users;
    this.encoder = encoder;
    this.from = from;
    this.to = to;
    this.user = user;
    this.target = target;
    this.excluded = excluded;
  }

  /** The validation users of [from, to); none when no user has a new watch there. */
  static NextWatchValidation of(
      EncodedUsers users, FeatureEncoder encoder, int videos, long from, long to) {
    Timeline t = users.timeline;
    int stride = Math.max(1, (t.users() + MAX_USERS - 1) / MAX_USERS);
    int[] user = new int[t.users()];
    int[] target = new int[t.users()];
    int[][] excluded = new int[t.users()][];
    boolean[] marked = new boolean[videos];
    int n = 0;
    for (int u = 0; u < t.users(); u += stride) {
      int before = t.watchesBefore(u, from);
      int end = t.watchesBefore(u, to);
      int[] seen = new int[before];
      int distinct = 0;
      for (int k = 0; k < before; k++) {
        int v = t.watchVideo[u][k];
        if (!marked[v]) {
          marked[v] = true;
          seen[distinct++] = v;
        }
      }
      int next = -1;
      for (int k = before; k < end && next < 0; k++) {
        next = marked[t.watchVideo[u][k]] ? -1 : t.watchVideo[u][k];
      }
      for (int k = 0; k < distinct; k++) {
        marked[seen[k]] = false;
      }
      if (next >= 0) {
        user[n] = u;
        target[n] = next;
        excluded[n] = Arrays.copyOf(seen, distinct);
        n++;
      }
    }
    return new NextWatchValidation(
        users,
        encoder,
        from,
        to,
        Arrays.copyOf(user, n),
        Arrays.copyOf(target, n),
        Arrays.copyOf(excluded, n));
  }

  /** {"from_ts", "to_ts"} of the validation window. */
  io.vertx.core.json.JsonObject window() {
    return CandidateTrainer.window(from, to);
  }

  int users() {
    return user.length;
  }

  /**
   * Recall@{@value #AT} of the model as it stands; the tables must hold the full video rows (call
   * {@link CandidateStep#fold} first).
   */
  double recall(NDManager manager, UserTowerBlock tower, SoftmaxBlock softmax) {
    if (user.length == 0) {
      return 0;
    }
    int dims = Math.toIntExact(softmax.weight().getArray().getShape().get(1));
    float[] vectors = new float[user.length * dims];
    ParameterStore ps = new ParameterStore(manager, false);
    UserInputs inputs = new UserInputs(BATCH);
    for (int start = 0; start < user.length; start += BATCH) {
      int rows = Math.min(BATCH, user.length - start);
      for (int r = 0; r < rows; r++) {
        int u = user[start + r];
        users.encode(encoder, u, users.timeline.watchesBefore(u, from), from, 0f, inputs, r);
      }
      try (NDManager step = manager.newSubManager()) {
        NDArray uv = tower.forward(ps, inputs.toNDList(step, rows), false).singletonOrThrow();
        System.arraycopy(uv.toFloatArray(), 0, vectors, start * dims, rows * dims);
      }
    }
    float[] w = softmax.weight().getArray().toFloatArray();
    float[] b = softmax.bias().getArray().toFloatArray();
    int hits = 0;
    boolean[] marked = new boolean[b.length];
    try (ExactTopK scan = new ExactTopK(w, b, dims)) {
      for (int start = 0; start < user.length; start += BATCH) {
        int rows = Math.min(BATCH, user.length - start);
        int[] k = new int[rows];
        for (int r = 0; r < rows; r++) {
          k[r] = Math.min(b.length, AT + 1 + excluded[start + r].length);
        }
        ExactTopK.Result top =
            scan.top(Arrays.copyOfRange(vectors, start * dims, (start + rows) * dims), rows, k);
        for (int r = 0; r < rows; r++) {
          int[] ex = excluded[start + r];
          for (int v : ex) {
            marked[v] = true;
          }
          double rank =
              Evaluator.rankInTop(top.ids()[r], top.scores()[r], marked, target[start + r]);
          for (int v : ex) {
            marked[v] = false;
          }
          hits += rank < AT ? 1 : 0;
        }
      }
    }
    return (double) hits / user.length;
  }
}
