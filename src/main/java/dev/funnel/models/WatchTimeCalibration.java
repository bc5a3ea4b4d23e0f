package dev.funnel.models;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Maps the ranker's logit to expected watch seconds. Weighted logistic regression makes exp(logit)
 * the odds Σ watch seconds of clicks ÷ Σ non-clicks: E[watch time] / (1 − CTR) at best, and
 * unbounded where the network extrapolates. The trainer fits a monotone table on held-out examples
 * (logit → mean watch seconds, 0 for no click); this applies it. Immutable and thread-safe.
 *
 * <p>Between knots the table is linear; below the first knot it falls like the odds, y₀·e^(x−x₀),
 * and above the last it rises by at most {@link #HEADROOM} of the last value: beyond the fitted
 * data it only keeps the order. Knot values strictly increase, so the mapping is strictly
 * increasing and never changes the ranker's order. A version without a table ({@link #ODDS}) serves
 * exp(logit), as versions did before calibration.
 *
 * <p>On disk: {@code calibration.json}, {"method": "isotonic", "logit": [...], "seconds": [...]}.
 */
public final class WatchTimeCalibration {
  static final String FILE = "calibration.json";

  /** Above the last knot the value approaches (1 + HEADROOM) × the last knot's. */
  static final float HEADROOM = 0.1f;

  /** exp(logit): no table. */
  public static final WatchTimeCalibration ODDS = new WatchTimeCalibration(null, null);

  private final float[] logits;
  private final float[] seconds;

  private WatchTimeCalibration(float[] logits, float[] seconds) {
    this.logits = logits;
    this.seconds = seconds;
  }

  /**
   * A table of knots.
   *
   * @param logits strictly increasing, finite
   * @param seconds strictly increasing, positive and finite, one per logit
   */
  public static WatchTimeCalibration table(float[] logits, float[] seconds) {
    if (logits.length != seconds.length || logits.length == 0) {
      throw new IllegalArgumentException("a calibration table needs one value per knot, >= 1 knot");
    }
    for (int i = 0; i < logits.length; i++) {
      if (!Float.isFinite(logits[i]) || !Float.isFinite(seconds[i]) || !(seconds[i] > 0)) {
        throw new IllegalArgumentException("calibration knot " + i + " is not finite and > 0");
      }
      if (i > 0 && (logits[i] <= logits[i - 1] || seconds[i] <= seconds[i - 1])) {
        throw new IllegalArgumentException("calibration knots must strictly increase, at " + i);
      }
    }
    return new WatchTimeCalibration(logits.clone(), seconds.clone());
  }

  /** Whether this is a fitted table (false: exp(logit)). */
  public boolean fitted() {
    return logits != null;
  }

  /** Expected watch seconds for a logit (before any cap at the video's duration). */
  public float seconds(float logit) {
    if (logits == null) {
      return (float) Math.exp(logit);
    }
    int n = logits.length;
    if (!(logit > logits[0])) {
      // NaN stays NaN, so a broken forward is not hidden behind a plausible number.
      return Float.isNaN(logit) ? Float.NaN : seconds[0] * (float) Math.exp(logit - logits[0]);
    }
    if (logit >= logits[n - 1]) {
      return seconds[n - 1] * (1f + HEADROOM * (float) -Math.expm1(logits[n - 1] - logit));
    }
    int lo = 0, hi = n - 1; // logits[lo] < logit < logits[hi]
    while (hi - lo > 1) {
      int mid = (lo + hi) >>> 1;
      if (logits[mid] <= logit) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    float t = (logit - logits[lo]) / (logits[hi] - logits[lo]);
    return seconds[lo] + t * (seconds[hi] - seconds[lo]);
  }

  /** Knots, for reports: {"method", "logit", "seconds"}; {"method": "odds"} without a table. */
  public JsonObject toJson() {
    if (logits == null) {
      return new JsonObject().put("method", "odds");
    }
    JsonArray x = new JsonArray();
    JsonArray y = new JsonArray();
    for (int i = 0; i < logits.length; i++) {
      x.add(logits[i]);
      y.add(seconds[i]);
    }
    return new JsonObject().put("method", "isotonic").put("logit", x).put("seconds", y);
  }

  static WatchTimeCalibration fromJson(JsonObject json) {
    String method = json.getString("method", "");
    if (method.equals("odds")) {
      return ODDS;
    }
    if (!method.equals("isotonic")) {
      throw new IllegalArgumentException("unknown calibration method '" + method + "'");
    }
    JsonArray x = json.getJsonArray("logit");
    JsonArray y = json.getJsonArray("seconds");
    if (x == null || y == null) {
      throw new IllegalArgumentException("calibration lacks 'logit' or 'seconds'");
    }
    float[] logits = new float[x.size()];
    float[] seconds = new float[y.size()];
    for (int i = 0; i < logits.length; i++) {
      logits[i] = x.getFloat(i);
    }
    for (int i = 0; i < seconds.length; i++) {
      seconds[i] = y.getFloat(i);
    }
    return table(logits, seconds);
  }

  /** Writes {@code calibration.json} into a version directory; nothing for {@link #ODDS}. */
  void write(Path dir) throws IOException {
    if (fitted()) {
      Files.writeString(dir.resolve(FILE), toJson().encodePrettily() + "\n");
    }
  }

  /** The version's table, or {@link #ODDS} when it has none (versions before calibration). */
  static WatchTimeCalibration read(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    if (!Files.exists(file)) {
      return ODDS;
    }
    try {
      return fromJson(new JsonObject(Files.readString(file)));
    } catch (DecodeException | IllegalArgumentException | ClassCastException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }
}
