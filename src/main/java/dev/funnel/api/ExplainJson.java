package dev.funnel.api;

import dev.funnel.pipeline.Explanation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The {@code "explain"} member of a recommendation answer ({@code ?explain=true}); the shape is
 * documented in docs/http-api.md. Numbers are rounded (milliseconds and scores to 3 decimals, CDF
 * values to 4, raw seconds and counts to whole numbers) so the answer stays small and readable;
 * values that do not apply (a video that did not come from retrieval) are JSON null.
 */
final class ExplainJson {
  private ExplainJson() {}

  static JsonObject toJson(Explanation e) {
    JsonArray stages = new JsonArray();
    for (Explanation.Stage s : e.stages()) {
      stages.add(
          new JsonObject()
              .put("stage", s.name())
              .put("ms", round(s.ms(), 1000))
              .put("in", s.in() < 0 ? null : s.in())
              .put("out", s.out() < 0 ? null : s.out())
              .put("ran", s.ran()));
    }
    JsonArray items = new JsonArray();
    List<String> names = e.featureNames();
    for (Explanation.Item item : e.items()) {
      JsonObject features = null;
      if (item.raw() != null) {
        features = new JsonObject();
        for (int f = 0; f < names.size(); f++) {
          features.put(
              names.get(f),
              new JsonObject()
                  .put("raw", round(item.raw()[f], rawScale(names.get(f))))
                  .put("cdf", item.cdf() == null ? null : round(item.cdf()[f], 10_000)));
        }
      }
      items.add(
          new JsonObject()
              .put("video", item.video())
              .put("title", item.title())
              .put("topic", item.topic())
              .put("language", item.language())
              .put("score", round(item.score(), 1000))
              .put(
                  "retrieval",
                  item.retrievalRank() == 0
                      ? null
                      : new JsonObject()
                          .put("rank", item.retrievalRank())
                          .put("score", round(item.retrievalScore(), 1000)))
              .put("ranker_score", round(item.rankerScore(), 1000))
              .put("features", features));
    }
    return new JsonObject()
        .put("path", e.path())
        .put("order", e.order())
        .put("reason", e.reason())
        .put(
            "user",
            new JsonObject()
                .put("profile_found", e.profileFound())
                .put("history", e.history())
                .put("search_tokens", e.searchTokens())
                .put("excluded", e.excluded()))
        .put("stages", stages)
        .put("total_ms", round(e.totalMs(), 1000))
        .put("items", items)
        .put("items_omitted", e.itemsOmitted());
  }

  // The retrieval score is a small real number; the other raw features are seconds or counts.
  private static double rawScale(String feature) {
    return feature.equals("retrieval_score") ? 1000 : 1;
  }

  /** Rounded to 1/scale; null for NaN or infinity (JSON has no such numbers). */
  private static Double round(double x, double scale) {
    if (Double.isNaN(x) || Double.isInfinite(x)) {
      return null;
    }
    return Math.round(x * scale) / scale;
  }
}
