package dev.funnel.config;

/**
 * @param candidates K, candidates taken from the index and ranked
 * @param defaultCount N when the request gives none
 * @param maxCount largest N a request may ask for
 * @param deadlineMs request deadline in milliseconds
 * @param clock what "now" is for video ages and time since last watch
 * @param maxPerTopic home feeds hold at most this many videos of one topic (backfilled from the
 *     next best when the candidates run short); 0 = no cap ({@code ranking.TopicCap})
 */
public record ServingConfig(
    int candidates,
    int defaultCount,
    int maxCount,
    int deadlineMs,
    ClockMode clock,
    int maxPerTopic) {

  /** Without the variety step (maxPerTopic 0). */
  public ServingConfig(
      int candidates, int defaultCount, int maxCount, int deadlineMs, ClockMode clock) {
    this(candidates, defaultCount, maxCount, deadlineMs, clock, 0);
  }

  public enum ClockMode {
    /** Now = the model's data end time plus the time since the server started. */
    DATA,
    /** Now = the system clock. */
    WALL
  }
}
