package dev.funnel.models;

import dev.funnel.features.UserProfile;

/**
 * The candidate model's user tower for one worker thread: profile in, user vector out. Not
 * thread-safe (it owns per-call native buffers and arrays); get one per worker from {@link
 * ModelBundle#newUserTower()}.
 */
public interface UserTower extends AutoCloseable {

  /**
   * The user vector u, {@link ModelBundle#dims()} long, such that u·w_v + b_v scores video v.
   *
   * @param nowTs the serving clock, epoch seconds (example age is 0 at serving)
   */
  float[] userVector(ResolvedUser user, long nowTs);

  /**
   * As {@link #userVector(ResolvedUser, long)} for a replayed past request (POST {@code asOf}):
   * with the example age that matches it, the end of training − the request time.
   */
  default float[] userVector(ResolvedUser user, long nowTs, float exampleAgeSeconds) {
    if (exampleAgeSeconds == 0f) {
      return userVector(user, nowTs);
    }
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot replay");
  }

  /** As {@link #userVector(ResolvedUser, long)} for a profile (offline tools). */
  float[] userVector(UserProfile profile, long nowTs);

  /**
   * The user vector of a replayed past request, with the example age that matches it (the end of
   * training − the request time) instead of 0. Only the quality report replays.
   */
  default float[] userVector(UserProfile profile, long nowTs, float exampleAgeSeconds) {
    if (exampleAgeSeconds == 0f) {
      return userVector(profile, nowTs);
    }
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot replay");
  }

  @Override
  void close();
}
