package dev.funnel.quality;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;

public final class ReportRenderer {
  public static Path render(
      JsonObject real, JsonObject ablations, QualityReport.Plan plan, String command, Path docs)
      throws IOException {
    return docs.resolve("quality.md");
  }
}
