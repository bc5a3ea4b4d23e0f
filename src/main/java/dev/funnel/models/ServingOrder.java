package dev.funnel.models;

import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * How the home feed orders retrieval's top K, as training chose on validation and recorded in
 * {@code model.json → serving.order}: by the ranker's expected watch seconds (the paper's funnel)
 * or in retrieval's own order (u·w_v + b_v), when the ranker lost to it beyond noise.
 */
public enum ServingOrder {
  RANKER,
  RETRIEVAL;

  /** The manifest's spelling. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * @throws IllegalArgumentException for anything but {@code ranker} or {@code retrieval}
   */
  public static ServingOrder parse(String label) {
    for (ServingOrder o : values()) {
      if (o.label().equals(label)) {
        return o;
      }
    }
    throw new IllegalArgumentException("unknown serving order '" + label + "'");
  }

  /**
   * The order a manifest records; {@link #RANKER} when it records none (versions trained before the
   * choice existed served the ranker's order).
   *
   * @throws IllegalArgumentException when {@code serving.order} is not a known order
   */
  public static ServingOrder of(JsonObject manifest) {
    Object serving = manifest.getValue("serving");
    if (serving == null) {
      return RANKER;
    }
    if (!(serving instanceof JsonObject s) || !(s.getValue("order") instanceof String label)) {
      throw new IllegalArgumentException("serving.order must be \"ranker\" or \"retrieval\"");
    }
    return parse(label);
  }

  /** {@code {"order": label}}, the manifest's {@code serving} object. */
  public JsonObject toJson() {
    return new JsonObject().put("order", label());
  }
}
