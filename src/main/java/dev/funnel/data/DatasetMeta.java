package dev.funnel.data;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code meta.json} of a dataset: where it came from and the time span it covers.
 *
 * @param source {@code synthetic} or {@code movielens}
 * @param startTs first event time, epoch seconds
 * @param endTs last event time, epoch seconds; serving uses it as "now" on the data clock
 * @param details free-form, source-specific facts (generator parameters, input files)
 */
public record DatasetMeta(
    String name, String source, long startTs, long endTs, JsonObject details) {

  public static DatasetMeta read(Path file) throws IOException {
    try {
      JsonObject json = new JsonObject(Files.readString(file));
      return new DatasetMeta(
          json.getString("name", file.getParent().getFileName().toString()),
          json.getString("source", "unknown"),
          json.getLong("start_ts"),
          json.getLong("end_ts"),
          json.getJsonObject("details", new JsonObject()));
    } catch (DecodeException | ClassCastException | NullPointerException e) {
      throw new DatasetFormatException(
          file.getFileName() + ": not a valid meta.json (" + e.getMessage() + ")", e);
    }
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("name", name)
        .put("source", source)
        .put("start_ts", startTs)
        .put("end_ts", endTs)
        .put("details", details);
  }

  public void write(Path file) throws IOException {
    Files.writeString(file, toJson().encodePrettily() + "\n");
  }
}
