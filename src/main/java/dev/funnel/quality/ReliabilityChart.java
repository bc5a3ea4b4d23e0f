package dev.funnel.quality;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * The ranker's reliability chart: per decile of its score, the mean predicted and the mean actual
 * watch seconds on held-out impressions, side by side (the evaluator's {@code ranker.reliability}).
 * Equal bars are a calibrated ranker.
 */
public final class ReliabilityChart {
  private ReliabilityChart() {}

  /** Writes the chart of {@code reliability} (the evaluator's bins) as a PNG. */
  public static void write(JsonArray reliability, String title, Path png) throws IOException {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    double low = Double.MAX_VALUE;
    double high = 0;
    for (int i = 0; i < reliability.size(); i++) {
      JsonObject bin = reliability.getJsonObject(i);
      for (String key : new String[] {"mean_predicted_s", "mean_actual_s"}) {
        double v = bin.getDouble(key);
        if (v > 0) {
          low = Math.min(low, v);
          high = Math.max(high, v);
        }
      }
      String decile = Integer.toString(bin.getInteger("bin"));
      data.addValue(bin.getDouble("mean_predicted_s"), "mean predicted (s)", decile);
      data.addValue(bin.getDouble("mean_actual_s"), "mean actual (s)", decile);
    }
    JFreeChart chart = ReportRenderer.bar(title, "watch seconds per impression", data);
    chart.getCategoryPlot().getDomainAxis().setLabel("decile of predicted watch seconds");
    // Deciles span seconds to minutes: a log axis shows the low ones too.
    LogAxis seconds = new LogAxis("watch seconds per impression (log scale)");
    seconds.setAutoTickUnitSelection(false);
    seconds.setTickUnit(new NumberTickUnit(1)); // one tick per power of ten
    seconds.setNumberFormatOverride(new DecimalFormat("#,##0.##"));
    if (high > 0) {
      seconds.setRange(low / 2, high * 2);
    }
    chart.getCategoryPlot().setRangeAxis(seconds);
    Path dir = png.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    ReportRenderer.save(chart, dir, png.getFileName().toString());
  }
}
