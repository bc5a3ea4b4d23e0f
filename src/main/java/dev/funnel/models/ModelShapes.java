package dev.funnel.models;

import io.vertx.core.json.JsonObject;

/**
 * Every size both models are built from: vocabulary row counts (reserved row 0 included) and layer
 * widths. Recorded in the manifest so that a bundle is rebuilt with exactly the shapes it was
 * trained with, and checked against the parameter files on load.
 *
 * @param videos number of catalogue videos V (input embedding tables have V + 1 rows: row 0 pads)
 * @param tokens search-token vocabulary rows
 * @param geos geography vocabulary rows
 * @param languages language vocabulary rows (shared by users and videos)
 * @param genders gender vocabulary rows
 * @param dims length d of user and video vectors
 * @param rankerCandidateEmbedding whether the ranker reads the candidate video's own embedding
 *     (false since calibration v3: an id embedding fitted on the ranker's window memorises how
 *     popular each video was then, which time outdates; the ranker's calibration cannot see that,
 *     since its held-out users share the window. Versions without the field had it.)
 */
public record ModelShapes(
    int videos,
    int tokens,
    int geos,
    int languages,
    int genders,
    int videoEmbedding,
    int tokenEmbedding,
    int geoEmbedding,
    int languageEmbedding,
    int genderEmbedding,
    int towerHidden1,
    int towerHidden2,
    int dims,
    int rankerVideoEmbedding,
    int rankerLanguageEmbedding,
    int rankerHidden1,
    int rankerHidden2,
    int rankerHidden3,
    boolean rankerCandidateEmbedding) {

  /** The reference sizes of DESIGN.md §2 (a 128-d tower input, a 63-d ranker input). */
  public static ModelShapes standard(int videos, int tokens, int geos, int languages, int genders) {
    return new ModelShapes(
        videos, tokens, geos, languages, genders, 64, 32, 12, 8, 4, 256, 128, 64, 32, 8, 256, 128,
        64, false);
  }

  /** Width of the user tower's input vector. */
  public int towerInput() {
    return videoEmbedding
        + tokenEmbedding
        + geoEmbedding
        + languageEmbedding
        + genderEmbedding
        + FeatureEncoder.USER_DENSE;
  }

  /** Width of the ranker's input vector. */
  public int rankerInput() {
    return (rankerCandidateEmbedding ? 2 : 1) * rankerVideoEmbedding
        + 2 * rankerLanguageEmbedding
        + FeatureEncoder.RANKER_DENSE;
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("videos", videos)
        .put("tokens", tokens)
        .put("geos", geos)
        .put("languages", languages)
        .put("genders", genders)
        .put("video_embedding", videoEmbedding)
        .put("token_embedding", tokenEmbedding)
        .put("geo_embedding", geoEmbedding)
        .put("language_embedding", languageEmbedding)
        .put("gender_embedding", genderEmbedding)
        .put("tower_hidden", new io.vertx.core.json.JsonArray().add(towerHidden1).add(towerHidden2))
        .put("dims", dims)
        .put("tower_input", towerInput())
        .put("ranker_video_embedding", rankerVideoEmbedding)
        .put("ranker_language_embedding", rankerLanguageEmbedding)
        .put(
            "ranker_hidden",
            new io.vertx.core.json.JsonArray()
                .add(rankerHidden1)
                .add(rankerHidden2)
                .add(rankerHidden3))
        .put("ranker_candidate_embedding", rankerCandidateEmbedding)
        .put("ranker_input", rankerInput());
  }

  public static ModelShapes fromJson(JsonObject j) {
    try {
      return new ModelShapes(
          j.getInteger("videos"),
          j.getInteger("tokens"),
          j.getInteger("geos"),
          j.getInteger("languages"),
          j.getInteger("genders"),
          j.getInteger("video_embedding"),
          j.getInteger("token_embedding"),
          j.getInteger("geo_embedding"),
          j.getInteger("language_embedding"),
          j.getInteger("gender_embedding"),
          j.getJsonArray("tower_hidden").getInteger(0),
          j.getJsonArray("tower_hidden").getInteger(1),
          j.getInteger("dims"),
          j.getInteger("ranker_video_embedding"),
          j.getInteger("ranker_language_embedding"),
          j.getJsonArray("ranker_hidden").getInteger(0),
          j.getJsonArray("ranker_hidden").getInteger(1),
          j.getJsonArray("ranker_hidden").getInteger(2),
          j.getBoolean("ranker_candidate_embedding", true));
    } catch (NullPointerException | ClassCastException | IndexOutOfBoundsException e) {
      throw new IllegalArgumentException("manifest 'shapes' is incomplete: " + e.getMessage(), e);
    }
  }
}
