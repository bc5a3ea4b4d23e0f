package dev.funnel.pipeline;

import java.util.List;

/**
 * What the frontend knows about the viewer now; every field may be null (not given). Given fields
 * replace the stored ones; searches are appended to the stored search tokens.
 */
public record RequestContext(
    String geo, String language, String gender, Integer age, List<String> searches) {
  public static final RequestContext NONE = new RequestContext(null, null, null, null, null);
}
