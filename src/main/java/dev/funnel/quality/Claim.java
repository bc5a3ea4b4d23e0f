package dev.funnel.quality;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * One checkable statement behind a written finding: method {@code a} against {@code factor} ×
 * method {@code b} on a per-user metric, judged by the paired bootstrap interval of a − factor·b
 * over the same users. The renderer flags, in the generated document, a finding whose claim the
 * current numbers do not support.
 *
 * @param relation ABOVE: the whole interval is above 0; BELOW: below 0; AT_LEAST: the mean is at
 *     least 0 (a target), TIE: the interval contains 0 (no ordering can be stated)
 */
public record Claim(String a, String metric, Relation relation, double factor, String b) {

  public enum Relation {
    ABOVE,
    BELOW,
    AT_LEAST,
    TIE
  }

  public static Claim above(String a, String metric, String b) {
    return new Claim(a, metric, Relation.ABOVE, 1, b);
  }

  public static Claim below(String a, String metric, String b) {
    return new Claim(a, metric, Relation.BELOW, 1, b);
  }

  public static Claim tie(String a, String metric, String b) {
    return new Claim(a, metric, Relation.TIE, 1, b);
  }

  public static Claim below(String a, String metric, double factor, String b) {
    return new Claim(a, metric, Relation.BELOW, factor, b);
  }

  public static Claim atLeast(String a, String metric, double factor, String b) {
    return new Claim(a, metric, Relation.AT_LEAST, factor, b);
  }

  /** The outcome: whether the numbers support it, and the interval it was judged by. */
  public record Check(Claim claim, boolean supported, Bootstrap.Interval difference) {
    public String describe() {
      Claim c = claim;
      String scaled = c.factor() == 1 ? c.b() : fmt(c.factor()) + "×" + c.b();
      return String.format(
          Locale.ROOT,
          "%s − %s on %s: %+.4f [%+.4f, %+.4f]",
          c.a(),
          scaled,
          c.metric(),
          difference.mean(),
          difference.low(),
          difference.high());
    }
  }

  private static String fmt(double x) {
    return x == Math.rint(x) ? Long.toString((long) x) : Double.toString(x);
  }

  /**
   * Judges this claim on {@code methods} (result rows with {@code method} and {@code per_user}). A
   * method that is missing makes the claim unsupported.
   */
  public Check check(JsonArray methods) {
    double[] x = perUser(methods, a, metric);
    double[] y = perUser(methods, b, metric);
    if (x == null || y == null || x.length != y.length || x.length == 0) {
      return new Check(this, false, new Bootstrap.Interval(Double.NaN, Double.NaN, Double.NaN));
    }
    Bootstrap.Interval d = Bootstrap.pairedDifference(x, y, factor, 17L);
    boolean ok =
        switch (relation) {
          case ABOVE -> d.low() > 0;
          case BELOW -> d.high() < 0;
          case AT_LEAST -> d.mean() >= 0;
          case TIE -> d.low() <= 0 && d.high() >= 0;
        };
    return new Check(this, ok, d);
  }

  static double[] perUser(JsonArray methods, String method, String metric) {
    for (int i = 0; i < methods.size(); i++) {
      JsonObject m = methods.getJsonObject(i);
      if (method.equals(m.getString("method")) && m.containsKey("per_user")) {
        JsonArray column = m.getJsonObject("per_user").getJsonArray(metric);
        if (column == null) {
          return null;
        }
        double[] out = new double[column.size()];
        for (int u = 0; u < out.length; u++) {
          out[u] = column.getDouble(u);
        }
        return out;
      }
    }
    return null;
  }
}
