package dev.funnel.quality;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * Renders the real-data section of docs/quality.md from {@link QualityReport#movielens}: the
 * validation choices, the test table with 95% intervals, the paired differences behind each target,
 * and the written findings with a visible flag on any the numbers do not support.
 */
final class MovieLensSection {
  /** Bootstrap seed of the tables (fixed, so a re-render prints the same intervals). */
  private static final long SEED = 11L;

  private MovieLensSection() {}

  static void render(JsonObject real, StringBuilder md, Path charts) throws IOException {
    JsonObject validation = real.getJsonObject("validation");
    JsonObject chosen = validation.getJsonObject("chosen");
    String funnelKey = chosen.getString("funnel");
    JsonArray methods = withAliases(real.getJsonArray("methods"), funnelKey);
    md.append("## 1. Real data: MovieLens ml-latest-small\n\n")
        .append(
            String.format(
                Locale.ROOT,
                "%d users, %d movies, %d ratings (every rating is a watch; rating → watch time as"
                    + " in `docs/data-format.md`); %d users evaluated on the test side (%d held"
                    + " out each), %d on the validation side (%d held out each: the same rule on"
                    + " the test's training side, so each user's last %d watches before the test"
                    + " ones; a user whose training side keeps fewer than %d watches strictly"
                    + " before them is not evaluated there). MovieLens has no impression log, so"
                    + " the"
                    + " ranker learns from watches against negatives drawn from retrieval's top"
                    + " 300 (`./funnel train`'s default). A film exists from its first rating by"
                    + " anyone.\n\n",
                real.getInteger("users"),
                real.getInteger("videos"),
                real.getInteger("watches"),
                real.getInteger("evaluated_users"),
                real.getInteger("holdout"),
                real.getInteger("validation_users"),
                validationHoldout(real),
                validationHoldout(real),
                real.getInteger("min_train", 10)));
    validationTables(real, validation, md);
    testTable(real, methods, md, charts);
    orderChoices(real, md);
    targets(methods, md);
    md.append("**Findings (MovieLens).**\n\n");
    findings(Findings.MOVIELENS, methods, md);
    md.append("\n");
  }

  /** Watches held out per user on the validation side (1 in results from before it was 5). */
  private static int validationHoldout(JsonObject real) {
    return real.getInteger("validation_holdout", 1);
  }

  /** Adds "funnel" and "retrieval" for the funnel chosen on validation (what claims name). */
  static JsonArray withAliases(JsonArray methods, String funnelKey) {
    JsonArray out = methods.copy();
    for (String stage : new String[] {"funnel", "retrieval"}) {
      for (int i = 0; i < methods.size(); i++) {
        JsonObject m = methods.getJsonObject(i);
        if ((stage + "-" + funnelKey).equals(m.getString("method"))) {
          out.add(m.copy().put("method", stage).put("alias_of", m.getString("method")));
        }
      }
    }
    return out;
  }

  private static void validationTables(JsonObject real, JsonObject validation, StringBuilder md) {
    JsonObject grids = validation.getJsonObject("grids");
    JsonObject chosen = validation.getJsonObject("chosen");
    String by = real.getString("choose_by", QualityReport.CHOOSE_BY);
    md.append("### Choices made on validation\n\n")
        .append(
            "Every tuned baseline gets the same budget of "
                + QualityReport.BUDGET
                + " configurations; each method keeps the configuration with the best "
                + metricName(by)
                + " on the validation side (trained on the validation side's training events"
                + " only), and only that configuration is run on the test side (ALS with its"
                + " first seed on validation, every seed on test). The funnel's own switches are"
                + " chosen the same way, by the mean over every seed of the funnel's "
                + metricName(by)
                + " as served (retrieval's top 300 in the order its own training chose and"
                + " recorded in model.json: `serving.order`). In brackets: the 95%"
                + " percentile-bootstrap interval over the validation users (for the funnel, of"
                + " per-user values averaged over seeds).\n\n");
    md.append(
        "| method | configuration | validation "
            + metricName(by)
            + " [95%] | chosen |\n|---|---|---|---|\n");
    for (String method : grids.fieldNames()) {
      JsonArray rows = grids.getJsonArray(method);
      for (int i = 0; i < rows.size(); i++) {
        JsonObject r = rows.getJsonObject(i);
        String config;
        JsonObject scored;
        boolean isChosen;
        if (method.equals("funnel")) {
          config = r.getString("label") + " (" + seedsOf(r) + ")";
          scored = QualityReport.find(r.getJsonArray("methods"), "funnel");
          isChosen = r.getString("key").equals(chosen.getString("funnel"));
        } else {
          config = describe(method, r.getJsonObject("config"));
          scored = r;
          isChosen = r.getJsonObject("config").equals(chosen.getJsonObject(method));
        }
        md.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %s | %s |\n",
                baseName(method),
                config,
                withInterval(scored, by),
                isChosen ? "✓" : ""));
      }
    }
    md.append("\n");
    funnelChoice(grids.getJsonArray("funnel"), chosen.getString("funnel"), by, md);
  }

  /** "seeds 42, 43, 44" of a funnel validation row ("seed 42" for a row of one seed). */
  private static String seedsOf(JsonObject row) {
    JsonArray seeds = row.getJsonArray("seeds");
    if (seeds == null) {
      return "seed " + row.getLong("seed");
    }
    List<String> each = new ArrayList<>();
    for (int i = 0; i < seeds.size(); i++) {
      each.add(String.valueOf(seeds.getLong(i)));
    }
    return (seeds.size() == 1 ? "seed " : "seeds ") + String.join(", ", each);
  }

  /**
   * The funnel's choice in figures: each configuration's value per seed and the order its training
   * recorded, then the paired difference (same validation users) of the chosen configuration
   * against each other one, as served and for retrieval alone.
   */
  static void funnelChoice(JsonArray rows, String winner, String by, StringBuilder md) {
    if (rows == null || rows.isEmpty()) {
      return;
    }
    JsonObject best = null;
    for (int i = 0; i < rows.size(); i++) {
      if (rows.getJsonObject(i).getString("key").equals(winner)) {
        best = rows.getJsonObject(i);
      }
    }
    md.append("The funnel on validation, seed by seed (")
        .append(metricName(by))
        .append(" as served, the order its training recorded):\n\n");
    for (int i = 0; i < rows.size(); i++) {
      JsonObject r = rows.getJsonObject(i);
      JsonObject f = QualityReport.find(r.getJsonArray("methods"), "funnel");
      JsonArray perSeed = f.getJsonArray("per_seed", new JsonArray().add(f));
      List<String> each = new ArrayList<>();
      for (int k = 0; k < perSeed.size(); k++) {
        JsonObject s = perSeed.getJsonObject(k);
        String order = s.getString("served_order");
        each.add(
            String.format(Locale.ROOT, "%.3f", s.getDouble(by))
                + (order == null ? "" : " (" + order + ")"));
      }
      md.append("- ")
          .append(r.getString("label"))
          .append(": ")
          .append(String.join(", ", each))
          .append("\n");
    }
    md.append("\n");
    if (best == null || rows.size() < 2) {
      return;
    }
    md.append("| on validation, a − b (the chosen one first) | stage | difference of ")
        .append(metricName(by))
        .append(" [95% paired] |\n|---|---|---|\n");
    // Every pair: the chosen configuration against each other one, then the others among
    // themselves (a switch's own effect, e.g. example age, is read there).
    List<JsonObject> ordered = new ArrayList<>();
    ordered.add(best);
    for (int i = 0; i < rows.size(); i++) {
      if (rows.getJsonObject(i) != best) {
        ordered.add(rows.getJsonObject(i));
      }
    }
    for (int i = 0; i < ordered.size(); i++) {
      for (int j = i + 1; j < ordered.size(); j++) {
        pairRows(ordered.get(i), ordered.get(j), by, md);
      }
    }
    md.append(
        "\nAn interval that contains 0 means validation cannot tell the configurations apart:"
            + " the choice by the mean is then the best guess, at little cost either way.\n\n");
  }

  private static void pairRows(JsonObject first, JsonObject second, String by, StringBuilder md) {
    for (String stage : new String[] {"funnel", "retrieval"}) {
      double[] a = Claim.perUser(first.getJsonArray("methods"), stage, by);
      double[] b = Claim.perUser(second.getJsonArray("methods"), stage, by);
      if (a == null || b == null || a.length != b.length) {
        continue;
      }
      Bootstrap.Interval d = Bootstrap.pairedDifference(a, b, 1, SEED);
      md.append(
          String.format(
              Locale.ROOT,
              "| %s − %s | %s | %+.4f [%+.4f, %+.4f] |\n",
              first.getString("label"),
              second.getString("label"),
              stage.equals("funnel") ? "as served" : "retrieval alone",
              d.mean(),
              d.low(),
              d.high()));
    }
  }

  private static void testTable(JsonObject real, JsonArray methods, StringBuilder md, Path charts)
      throws IOException {
    md.append("### Test\n\n")
        .append(
            "Mean over seeds ("
                + real.getJsonArray("seeds").size()
                + " for the funnels and ALS, as the seeds column says; the deterministic"
                + " baselines have one) and, in"
                + " brackets, the 95% percentile-bootstrap interval over the evaluated users ("
                + Bootstrap.RESAMPLES
                + " resamples of per-user values averaged over seeds). Coverage is a catalogue"
                + " share, not a per-user mean: no interval.\n\n");
    md.append(
        "| method | seeds | HitRate@10 | HitRate@50 | Recall@50 | NDCG@10 | coverage@50 |"
            + " HitRate@50 ÷ most-popular's |\n"
            + "|---|---|---|---|---|---|---|---|\n");
    JsonObject popular = find(methods, "most-popular");
    DefaultCategoryDataset bars = new DefaultCategoryDataset();
    for (int i = 0; i < methods.size(); i++) {
      JsonObject m = methods.getJsonObject(i);
      if (m.containsKey("alias_of")) {
        continue;
      }
      md.append("| ")
          .append(label(m, real))
          .append(" | ")
          .append(m.getInteger("seeds", 1))
          .append(" | ");
      for (String metric : new String[] {"hit_rate@10", "hit_rate@50", "recall@50", "ndcg@10"}) {
        md.append(withInterval(m, metric)).append(" | ");
      }
      md.append(String.format(Locale.ROOT, "%.3f | ", m.getDouble("coverage@50")))
          .append(
              popular == null
                  ? "—"
                  : String.format(
                      Locale.ROOT,
                      "%.2f×",
                      m.getDouble("hit_rate@50") / popular.getDouble("hit_rate@50")))
          .append(" |\n");
      String tick = chartLabel(m.getString("method"));
      bars.addValue(m.getDouble("hit_rate@50"), "HitRate@50", tick);
      bars.addValue(m.getDouble("recall@50"), "Recall@50", tick);
      bars.addValue(m.getDouble("ndcg@10"), "NDCG@10", tick);
    }
    ReportRenderer.save(
        ReportRenderer.bar(
            "MovieLens, leave-last-out (test): list quality by method", "score", bars),
        charts,
        "movielens.png");
    md.append("\n![MovieLens list metrics](quality/movielens.png)\n\n");
    JsonObject funnel = find(methods, "funnel");
    if (funnel != null && funnel.containsKey("per_seed")) {
      JsonArray seeds = funnel.getJsonArray("per_seed");
      List<String> each = new ArrayList<>();
      for (int i = 0; i < seeds.size(); i++) {
        JsonObject s = seeds.getJsonObject(i);
        each.add(
            String.format(
                Locale.ROOT,
                "%.3f (seed %d)",
                s.getDouble("hit_rate@50"),
                s.getLong("seed", QualityReport.SEEDS[i])));
      }
      md.append("The chosen funnel's HitRate@50 by seed: ")
          .append(String.join(", ", each))
          .append(".\n\n");
    }
  }

  /**
   * The serving order each funnel training recorded, with the held-out users it was read from and
   * its reason ({@code training.order_choice}): what decides whether "as served" is the ranker's
   * order or retrieval's.
   */
  static void orderChoices(JsonObject real, StringBuilder md) {
    List<String> rows = new ArrayList<>();
    JsonArray grid = real.getJsonObject("validation").getJsonObject("grids").getJsonArray("funnel");
    JsonArray seeds = real.getJsonArray("seeds", new JsonArray());
    for (int i = 0; i < grid.size(); i++) {
      JsonObject r = grid.getJsonObject(i);
      orderRows(r.getString("label"), "validation", r.getJsonArray("order_choices"), seeds, rows);
    }
    JsonArray funnels = real.getJsonArray("funnels", new JsonArray());
    for (int i = 0; i < funnels.size(); i++) {
      JsonObject f = funnels.getJsonObject(i);
      orderRows(f.getString("label"), "test", f.getJsonArray("order_choices"), seeds, rows);
    }
    if (rows.isEmpty()) {
      return;
    }
    md.append("The serving order each training recorded (`training.order_choice` in model.json:")
        .append(" users held out of the ranker's fit, HitRate@50 of the ranker's order minus")
        .append(" retrieval's on them):\n\n")
        .append("| funnel | side | seed | order | held-out users | ranker − retrieval [95%] |")
        .append(" reason |\n|---|---|---|---|---|---|---|\n");
    for (String row : rows) {
      md.append(row);
    }
    md.append("\n");
  }

  private static void orderRows(
      String label, String side, JsonArray choices, JsonArray seeds, List<String> rows) {
    if (choices == null) {
      return;
    }
    for (int k = 0; k < choices.size(); k++) {
      JsonObject c = choices.getJsonObject(k);
      if (c.getString("order") == null) {
        continue;
      }
      JsonObject d = c.getJsonObject("ranker_minus_retrieval");
      rows.add(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %s | %s | %s | %s |\n",
              label,
              side,
              k < seeds.size() ? String.valueOf(seeds.getLong(k)) : "?",
              c.getString("order"),
              c.containsKey("users")
                  ? c.getInteger("users") + " (" + c.getInteger("requests") + " requests)"
                  : "—",
              d == null
                  ? "—"
                  : String.format(
                      Locale.ROOT,
                      "%+.3f [%+.3f, %+.3f]",
                      d.getDouble("mean"),
                      d.getDouble("low"),
                      d.getDouble("high")),
              c.getString("reason", "")));
    }
  }

  /** The targets for one funnel, each as a paired difference with its interval. */
  static List<Claim> targets(String funnel, String retrieval) {
    return List.of(
        Claim.atLeast(funnel, "hit_rate@50", 2, "most-popular"),
        Claim.atLeast(funnel, "hit_rate@50", 1, "time-popular"),
        Claim.atLeast(funnel, "hit_rate@50", 1, "itemknn"),
        Claim.atLeast(funnel, "hit_rate@50", 1, "als-mf"),
        Claim.atLeast(funnel, "recall@50", 1, retrieval));
  }

  private static void targets(JsonArray methods, StringBuilder md) {
    md.append("### Targets (issue 10), on the test side\n\n")
        .append(
            "`funnel` is the configuration chosen on validation, as served (in the order its"
                + " training recorded),"
                + " `funnel-defaults` `./funnel train`'s defaults when they were not chosen; each"
                + " row is the paired difference over the same users with its 95% interval. *Met*"
                + " reads the mean; the interval says whether the ordering is beyond noise.\n\n")
        .append("| target | ratio of means | difference [95%] | met | interval |\n")
        .append("|---|---|---|---|---|\n");
    List<Claim> all = new ArrayList<>(targets("funnel", "retrieval"));
    if (find(methods, "funnel-defaults") != null
        && !"funnel-defaults".equals(find(methods, "funnel").getString("alias_of"))) {
      all.addAll(targets("funnel-defaults", "retrieval-defaults"));
    }
    for (Claim c : all) {
      Claim.Check check = c.check(methods);
      JsonObject a = find(methods, c.a());
      JsonObject b = find(methods, c.b());
      if (a == null || b == null) {
        continue;
      }
      double ratio = a.getDouble(c.metric()) / b.getDouble(c.metric());
      Bootstrap.Interval d = check.difference();
      String interval =
          d.low() > 0 ? "above 0: supported" : d.high() < 0 ? "below 0: refuted" : "contains 0";
      md.append(
          String.format(
              Locale.ROOT,
              "| %s ≥ %s%s on %s | %.2f× | %+.4f [%+.4f, %+.4f] | %s | %s |\n",
              c.a(),
              c.factor() == 1 ? "" : (int) c.factor() + "× ",
              c.b(),
              metricName(c.metric()),
              ratio,
              d.mean(),
              d.low(),
              d.high(),
              check.supported() ? "**met**" : "**not met**",
              interval));
    }
    md.append("\n");
  }

  /**
   * Writes each finding as a bullet; a finding with an unsupported claim gets a visible flag with
   * the interval that contradicts it.
   */
  static void findings(List<Finding> findings, JsonArray methods, StringBuilder md) {
    for (Finding f : findings) {
      List<String> failed = new ArrayList<>();
      for (Claim c : f.claims()) {
        Claim.Check check = c.check(methods);
        if (!check.supported()) {
          failed.add(c.relation().name().toLowerCase(Locale.ROOT) + ": " + check.describe());
        }
      }
      md.append("- ");
      if (!failed.isEmpty()) {
        md.append("⚠ **NOT SUPPORTED by the numbers above** (")
            .append(String.join("; ", failed))
            .append("): ");
      }
      md.append(f.text().strip()).append("\n");
    }
  }

  private static String withInterval(JsonObject m, String metric) {
    String method = m.getString("method");
    double[] values = method == null ? null : Claim.perUser(new JsonArray().add(m), method, metric);
    if (values == null) {
      return String.format(Locale.ROOT, "%.3f", m.getDouble(metric));
    }
    Bootstrap.Interval i = Bootstrap.mean(values, SEED);
    return String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", m.getDouble(metric), i.low(), i.high());
  }

  private static JsonObject find(JsonArray methods, String name) {
    for (int i = 0; i < methods.size(); i++) {
      if (name.equals(methods.getJsonObject(i).getString("method"))) {
        return methods.getJsonObject(i);
      }
    }
    return null;
  }

  static String metricName(String metric) {
    return switch (metric) {
      case "hit_rate@10" -> "HitRate@10";
      case "hit_rate@50" -> "HitRate@50";
      case "recall@10" -> "Recall@10";
      case "recall@50" -> "Recall@50";
      case "ndcg@10" -> "NDCG@10";
      default -> metric;
    };
  }

  private static String baseName(String method) {
    return switch (method) {
      case "time-popular" -> "time-aware most-popular";
      case "itemknn" -> "ItemKNN";
      case "als-mf" -> "implicit ALS";
      default -> method;
    };
  }

  static String describe(String method, JsonObject config) {
    if (config == null) {
      return "";
    }
    return switch (method) {
      case "time-popular" ->
          config.getInteger("window_days") == 0
              ? "all watches before the request"
              : "window " + config.getInteger("window_days") + " d";
      case "itemknn" ->
          String.format(
              Locale.ROOT,
              "k = %d, shrinkage %.0f",
              config.getInteger("neighbours"),
              config.getDouble("shrinkage"));
      case "als-mf" ->
          String.format(
              Locale.ROOT,
              "d = %d, α = %.0f, λ = %.0f, %d iterations",
              config.getInteger("factors"),
              config.getDouble("alpha"),
              config.getDouble("lambda"),
              config.getInteger("iterations"));
      default -> config.encode();
    };
  }

  private static String label(JsonObject m, JsonObject real) {
    String method = m.getString("method");
    if (m.containsKey("config") && !m.getJsonObject("config").isEmpty()) {
      return baseName(method) + " (" + describe(method, m.getJsonObject("config")) + ")";
    }
    String chosen = real.getJsonObject("validation").getJsonObject("chosen").getString("funnel");
    for (String stage : new String[] {"retrieval-", "funnel-"}) {
      if (method.startsWith(stage)) {
        String key = method.substring(stage.length());
        String what =
            stage.equals("retrieval-") ? "retrieval alone" : "as served" + servedOrders(m);
        return "funnel, "
            + funnelLabel(real, key)
            + ": "
            + what
            + (key.equals(chosen) ? " (**chosen**)" : "");
      }
    }
    return method.equals("most-popular") ? "most-popular (all training watches)" : method;
  }

  /**
   * " (order: ranker)" or, when seeds differ, " (order: ranker, retrieval, ranker)": the serving
   * order each seed's training recorded; "" for results computed before it was recorded.
   */
  static String servedOrders(JsonObject m) {
    JsonArray perSeed = m.getJsonArray("per_seed", new JsonArray());
    java.util.List<String> orders = new ArrayList<>();
    for (int i = 0; i < perSeed.size(); i++) {
      String o = perSeed.getJsonObject(i).getString("served_order");
      if (o == null) {
        return "";
      }
      orders.add(o);
    }
    if (orders.isEmpty()) {
      return "";
    }
    boolean same = orders.stream().distinct().count() == 1;
    return " (order: " + (same ? orders.get(0) : String.join(", ", orders)) + ")";
  }

  private static String funnelLabel(JsonObject real, String key) {
    JsonArray funnels = real.getJsonArray("funnels", new JsonArray());
    for (int i = 0; i < funnels.size(); i++) {
      if (key.equals(funnels.getJsonObject(i).getString("key"))) {
        return funnels.getJsonObject(i).getString("label").replace("`", "");
      }
    }
    return key;
  }

  private static String chartLabel(String method) {
    return switch (method) {
      case "itemknn" -> "ItemKNN";
      case "als-mf" -> "ALS";
      case "time-popular" -> "time-pop";
      default -> method.replace("retrieval-", "retr. ").replace("funnel-", "funnel ");
    };
  }
}
