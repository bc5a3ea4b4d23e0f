package dev.funnel.api;

import dev.funnel.pipeline.Recommendation;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The response body: {@code
 * {"user","items":[{"video","score"}],"model","degraded","personalized"}}, plus {@code "video"} for
 * watch-next. Scores are rounded to 3 decimals (they are seconds).
 */
final class RecommendationJson {
  private RecommendationJson() {}

  static Buffer encode(Recommendation r, String playing) {
    return toJson(r, playing).toBuffer();
  }

  static JsonObject toJson(Recommendation r, String playing) {
    JsonArray items = new JsonArray();
    for (Recommendation.Item item : r.items()) {
      items.add(new JsonObject().put("video", item.video()).put("score", round(item.score())));
    }
    JsonObject json = new JsonObject().put("user", r.userId());
    if (playing != null) {
      json.put("video", playing);
    }
    return json.put("items", items)
        .put("model", r.model())
        .put("degraded", r.degraded())
        .put("personalized", r.personalized());
  }

  private static double round(float score) {
    return Math.round(score * 1000.0) / 1000.0;
  }
}
