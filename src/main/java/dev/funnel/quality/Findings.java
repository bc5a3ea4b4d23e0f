package dev.funnel.quality;

/**
 * The written analysis of docs/quality.md, kept beside the renderer so that the regenerated page
 * keeps it. Update it when a new run changes the picture; the numbers in the tables are always
 * recomputed, this text is not.
 */
final class Findings {
  private Findings() {}

  static final String MOVIELENS = "";

  static final String ABLATIONS = "";
}
