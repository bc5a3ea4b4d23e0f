package dev.funnel.quality;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportRendererTest {
  @TempDir Path tmp;

  private static JsonObject method(String name, double r50) {
    return new JsonObject()
        .put("method", name)
        .put("users", 10)
        .put("hit_rate@10", r50 / 2)
        .put("recall@10", r50 / 3)
        .put("hit_rate@50", r50 * 1.5)
        .put("recall@50", r50)
        .put("ndcg@10", r50 / 4)
        .put("coverage@10", 0.01)
        .put("coverage@50", 0.05);
  }

  private static JsonObject run(String label, double r50, double loss, double seconds) {
    JsonArray buckets = new JsonArray();
    for (String age : QualityEvaluation.AGE_LABELS) {
      buckets.add(new JsonObject().put("age_days", age).put("predicted", 0.1).put("actual", 0.2));
    }
    return new JsonObject()
        .put("label", label)
        .put("retrieval", method("retrieval", r50))
        .put("funnel", method("funnel", r50 * 0.9))
        .put(
            "ranker",
            new JsonObject()
                .put("pages", 5)
                .put("weighted_per_user_loss", loss)
                .put("auc", 0.7)
                .put("list_watch_seconds", seconds)
                .put("list_watch_seconds_retrieval", seconds / 2)
                .put("list_watch_seconds_random", seconds / 3)
                .put("list_watch_seconds_oracle", seconds * 2))
        .put("freshness", new JsonObject().put("users", 3).put("buckets", buckets))
        .put("train_seconds", 1.0);
  }

  @Test
  void render_fixtureResults_writesMarkdownAndCharts() throws IOException {
    JsonObject real =
        new JsonObject()
            .put("users", 10)
            .put("videos", 100)
            .put("watches", 1000)
            .put("evaluated_users", 10)
            .put("holdout", 5)
            .put(
                "funnels",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("key", "tuned")
                            .put("label", "tuned")
                            .put("options", QualityReport.quick().movielens().toJson())
                            .put("variant", dev.funnel.train.ModelVariant.standard().toJson())
                            .put("train_seconds", 3.0)))
            .put(
                "methods",
                new JsonArray()
                    .add(method("most-popular", 0.1))
                    .add(method("itemknn", 0.15))
                    .add(method("als-mf", 0.2))
                    .add(method("retrieval-tuned", 0.25))
                    .add(method("funnel-tuned", 0.22)));
    JsonObject runs = new JsonObject();
    for (String key : new QualityReport(QualityReport.quick(), tmp).ablationRuns().keySet()) {
      runs.put(key, run(key, 0.3, 0.2, 100));
    }
    JsonObject ablations =
        new JsonObject()
            .put("watches", 1000)
            .put("impressions", 5000)
            .put("evaluated_users", 10)
            .put("runs", runs);
    Path md = ReportRenderer.render(real, ablations, QualityReport.quick(), "./funnel report", tmp);
    String text = Files.readString(md);
    assertTrue(text.contains("| funnel tuned: retrieval + ranker | 0.110 |"), text);
    assertTrue(text.contains("2.20× (aim ≥ 2×: met)"), text);
    assertTrue(text.contains("### 2e. Ranking by weighted LR vs click LR"));
    for (String png :
        new String[] {
          "movielens.png",
          "tower-depth.png",
          "ranker-depth.png",
          "freshness.png",
          "history-length.png",
          "negatives.png",
          "watch-time.png"
        }) {
      Path p = tmp.resolve("quality").resolve(png);
      assertTrue(Files.size(p) > 5_000, png + " is written");
      assertTrue(text.contains("quality/" + png), png + " is linked");
    }
  }
}
