package dev.funnel.pipeline;

import dev.funnel.metrics.StageTimings;
import java.util.List;

/**
 * The answer to one request.
 *
 * @param userId the requesting user, or null for an anonymous request
 * @param items best first
 * @param model the model version that produced it
 * @param degraded true when a stage was cut (deadline, store or model failure) and popular videos
 *     or unranked candidates stand in
 * @param personalized false when nothing was known about the user (no stored profile and no history
 *     in the request): context and popularity only
 */
public record Recommendation(
    String userId,
    List<Item> items,
    String model,
    boolean degraded,
    boolean personalized,
    StageTimings timings) {

  /** One recommended video and its score (expected watch seconds when not degraded). */
  public record Item(String video, float score) {}
}
