package dev.funnel.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

  /** A method whose users hit at rate {@code rate} (user u hits when u % 100 < rate·100). */
  private static JsonObject perUserMethod(String name, double rate, int users) {
    JsonArray hits = new JsonArray();
    for (int u = 0; u < users; u++) {
      hits.add(u % 100 < rate * 100 ? 1.0 : 0.0);
    }
    JsonObject perUser = new JsonObject();
    for (String column : TopKMetrics.PER_USER) {
      perUser.put(column, hits);
    }
    JsonObject m = method(name, rate).put("per_user", perUser);
    for (String column : TopKMetrics.PER_USER) {
      m.put(column, rate); // the mean of the per-user column above
    }
    return m;
  }

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

  static JsonObject real(double funnelRate) {
    int users = 400;
    JsonObject chosen =
        new JsonObject()
            .put("funnel", "defaults")
            .put("itemknn", new JsonObject().put("neighbours", 50).put("shrinkage", 0.0));
    JsonObject grids =
        new JsonObject()
            .put(
                "itemknn",
                new JsonArray()
                    .add(
                        perUserMethod("itemknn", 0.3, users)
                            .put("config", chosen.getJsonObject("itemknn"))))
            .put(
                "funnel",
                new JsonArray()
                    .add(validationFunnel("defaults", "defaults", 0.3, users))
                    .add(validationFunnel("no-example-age", "without example age", 0.25, users)));
    return new JsonObject()
        .put("code_version", "abc123")
        .put("users", users)
        .put("videos", 100)
        .put("watches", 1000)
        .put("evaluated_users", users)
        .put("validation_users", users)
        .put("holdout", 5)
        .put("seeds", new JsonArray().add(42).add(43).add(44))
        .put("validation", new JsonObject().put("grids", grids).put("chosen", chosen))
        .put(
            "funnels",
            new JsonArray()
                .add(testFunnel("defaults", "defaults", true))
                .add(testFunnel("no-example-age", "without example age", false)))
        .put(
            "methods",
            new JsonArray()
                .add(perUserMethod("most-popular", 0.2, users))
                .add(
                    perUserMethod("time-popular", 0.2, users)
                        .put("config", new JsonObject().put("window_days", 30)))
                .add(
                    perUserMethod("itemknn", 0.3, users)
                        .put("config", chosen.getJsonObject("itemknn")))
                .add(
                    perUserMethod("als-mf", 0.3, users)
                        .put(
                            "config",
                            new JsonObject()
                                .put("factors", 32)
                                .put("alpha", 5.0)
                                .put("lambda", 1.0)
                                .put("iterations", 10)))
                .add(perUserMethod("retrieval-defaults", 0.35, users))
                .add(perUserMethod("funnel-defaults", funnelRate, users))
                .add(perUserMethod("retrieval-no-example-age", 0.35, users))
                .add(perUserMethod("funnel-no-example-age", 0.25, users)));
  }

  /** A funnel configuration on validation: both stages, averaged over three seeds. */
  private static JsonObject validationFunnel(String key, String label, double rate, int users) {
    JsonArray perSeed = new JsonArray();
    JsonArray orderChoices = new JsonArray();
    for (int seed = 42; seed <= 44; seed++) {
      perSeed.add(method("funnel", rate).put("seed", seed).put("served_order", "ranker"));
      orderChoices.add(
          new JsonObject()
              .put("order", "ranker")
              .put("reason", "too few validation users (28 < 30)")
              .put("users", 28)
              .put("requests", 543)
              .put(
                  "ranker_minus_retrieval",
                  new JsonObject().put("mean", -0.074).put("low", -0.118).put("high", -0.03)));
    }
    return new JsonObject()
        .put("key", key)
        .put("label", label)
        .put("seeds", new JsonArray().add(42).add(43).add(44))
        .put("order_choices", orderChoices)
        .put(
            "methods",
            new JsonArray()
                .add(perUserMethod("retrieval", 0.35, users))
                .add(perUserMethod("funnel", rate, users).put("per_seed", perSeed)));
  }

  private static JsonObject testFunnel(String key, String label, boolean chosen) {
    return new JsonObject()
        .put("key", key)
        .put("label", label)
        .put("chosen", chosen)
        .put("seeds", 3)
        .put("train_seconds", 100.0)
        .put("load_average", new JsonArray().add(3.0).add(9.5));
  }

  @Test
  void render_fixtureResults_writesMarkdownIntervalsTargetsAndCharts() throws IOException {
    JsonObject runs = new JsonObject();
    for (String key : new QualityReport(QualityReport.quick(), tmp, "x").ablationRuns().keySet()) {
      runs.put(key, run(key, 0.3, 0.2, 100));
    }
    JsonObject ablations =
        new JsonObject()
            .put("watches", 1000)
            .put("impressions", 5000)
            .put("evaluated_users", 10)
            .put("runs", runs);
    Path md =
        ReportRenderer.render(
            real(0.45), ablations, QualityReport.quick(), "./funnel report", tmp, "c0ffee");
    String text = Files.readString(md);
    assertTrue(text.contains("at commit `c0ffee`"), "the commit is printed");
    assertTrue(text.contains("code version `abc123`"), "the code version is printed");
    assertTrue(text.contains("trains the funnel 12 times (6 on validation, 6 on test)"), text);
    assertTrue(text.contains("load average of 3.0–9.5"), text);
    assertTrue(
        text.contains(
            "| defaults | validation | 43 | ranker | 28 (543 requests) | -0.074 [-0.118, -0.030]"
                + " | too few validation users (28 < 30) |"),
        text);
    // The funnel's choice on validation: three seeds each, the paired interval of the difference.
    assertTrue(text.contains("| funnel | defaults (seeds 42, 43, 44) | 0.300 ["), text);
    assertTrue(
        text.matches(
            "(?s).*\\| defaults − without example age \\| as served \\| \\+0\\.0500"
                + " \\[\\+0\\.0[2-4]\\d\\d, \\+0\\.0[6-8]\\d\\d\\] \\|.*"),
        text);
    // 0.45 of users hit: the interval brackets the mean.
    assertTrue(
        text.matches("(?s).*\\| 0\\.450 \\[0\\.4[0-4]\\d, 0\\.(4[5-9]|50)\\d\\] \\|.*"), text);
    // 0.45 < 2 × 0.2 is false: 0.45 ≥ 0.40 is met; 0.45 ≥ 0.3 (ItemKNN) is met and beyond noise.
    assertTrue(text.contains("| funnel ≥ 2× most-popular on HitRate@50 | 2.25× |"), text);
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

  @Test
  void render_funnelBelowTarget_targetNotMet() throws IOException {
    Path md =
        ReportRenderer.render(
            real(0.3), null, QualityReport.quick(), "./funnel report", tmp, "c0ffee");
    String text = Files.readString(md);
    assertTrue(text.contains("| funnel ≥ 2× most-popular on HitRate@50 | 1.50× |"), text);
    assertTrue(text.contains("| **not met** | below 0: refuted |"), text);
  }

  @Test
  void findings_claimTheNumbersDoNotSupport_isFlaggedVisibly() {
    JsonArray methods = MovieLensSection.withAliases(real(0.3).getJsonArray("methods"), "defaults");
    StringBuilder md = new StringBuilder();
    MovieLensSection.findings(
        java.util.List.of(
            Finding.of("Beats ItemKNN.", Claim.above("funnel", "hit_rate@50", "itemknn")),
            Finding.of("Beats most-popular.", Claim.above("funnel", "hit_rate@50", "most-popular")),
            Finding.of("Ties ALS.", Claim.tie("funnel", "hit_rate@50", "als-mf"))),
        methods,
        md);
    String[] lines = md.toString().split("\n");
    assertTrue(lines[0].contains("NOT SUPPORTED") && lines[0].endsWith("Beats ItemKNN."), lines[0]);
    assertEquals("- Beats most-popular.", lines[1]);
    assertEquals("- Ties ALS.", lines[2]);
  }

  @Test
  void render_withoutAblations_carriesThePreviousSectionOverWithABannerOnce() throws IOException {
    Files.writeString(
        tmp.resolve("quality.md"),
        "# old\n\n## 2. The paper's ablations\n\nold table\n\n## Watch-next\n\nby hand\n\n"
            + "## Home feed variety\n\nalso by hand\n");
    for (int i = 0; i < 2; i++) {
      ReportRenderer.render(real(0.45), null, QualityReport.quick(), "./funnel report", tmp, "c1");
    }
    String text = Files.readString(tmp.resolve("quality.md"));
    assertTrue(text.contains("old table"), text);
    assertTrue(text.contains("by hand"), text);
    assertEquals(
        1,
        text.split(java.util.regex.Pattern.quote(ReportRenderer.NOT_REGENERATED), -1).length - 1);
    assertTrue(text.indexOf("old table") < text.indexOf("by hand"), "order kept");
    assertTrue(text.contains("## Home feed variety\n\nalso by hand"), "every later section kept");
    assertEquals(1, text.split("also by hand", -1).length - 1, "once");
  }
}
