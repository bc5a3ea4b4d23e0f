package dev.funnel.retrieval;

import dev.funnel.models.ResolvedUser;
import java.util.function.IntPredicate;

/**
 * The retrieval stage for one inference worker: the user tower turns a resolved user into a query
 * vector u, and the index finds the videos with the largest u·w_v + b_v. Two calls, so that the
 * pipeline can time them apart and stop between them at its deadline. Not thread-safe (a tower owns
 * a predictor): one per worker thread, borrowed for one request at a time.
 */
public interface CandidateRetriever {

  /**
   * The query vector u for this user (resolved to the model's ids) now.
   *
   * @param nowTs the serving clock, epoch seconds
   */
  float[] userVector(ResolvedUser user, long nowTs);

  /**
   * As {@link #userVector(ResolvedUser, long)} for a replayed past request, with its example age
   * (the end of training − the request time; 0 = a live request).
   */
  default float[] userVector(ResolvedUser user, long nowTs, float exampleAgeSeconds) {
    if (exampleAgeSeconds == 0f) {
      return userVector(user, nowTs);
    }
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot replay");
  }

  /**
   * The top {@code k} videos for {@code u}, best first, skipping every dense id for which {@code
   * excluded} is true ({@link VectorIndex#search}).
   */
  Candidates search(float[] u, int k, IntPredicate excluded);
}
