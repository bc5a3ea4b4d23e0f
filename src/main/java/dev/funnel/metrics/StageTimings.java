package dev.funnel.metrics;

/**
 * Milliseconds spent in each stage of one request (0 for a stage that did not run). {@code queueMs}
 * is the wait for an inference worker.
 */
public record StageTimings(
    double featuresMs,
    double queueMs,
    double towerMs,
    double indexMs,
    double rankMs,
    double totalMs) {

  /** The value of a {@code Server-Timing} response header. */
  public String serverTiming() {
    return String.format(
        java.util.Locale.ROOT,
        "features;dur=%.3f, queue;dur=%.3f, tower;dur=%.3f, index;dur=%.3f, rank;dur=%.3f,"
            + " total;dur=%.3f",
        featuresMs,
        queueMs,
        towerMs,
        indexMs,
        rankMs,
        totalMs);
  }
}
