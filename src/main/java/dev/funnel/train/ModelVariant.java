package dev.funnel.train;

import dev.funnel.models.FeatureEncoder;
import dev.funnel.models.ModelShapes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The switches the paper's ablations turn (issue 5, item 2), kept apart from {@link TrainOptions}
 * so that a default training run is untouched by them: {@link #standard()} reproduces exactly what
 * {@code ./funnel train} does.
 *
 * <p>Layer widths of 0 remove that hidden layer (0, 0 for the tower is a linear tower; 0, 0, 0 for
 * the ranker is plain logistic regression); the widths are recorded in the manifest's shapes, so a
 * bundle with another tower shape still loads. {@code historyLength} and {@code exampleAge} act at
 * training time only: a bundle trained with a shorter history is still served the full 50 watches
 * unless the caller truncates the profile (the quality report does).
 *
 * @param towerHidden user-tower hidden widths (2 entries; null = DESIGN.md §2 sizes)
 * @param rankerHidden ranker hidden widths (3 entries; null = DESIGN.md §2 sizes)
 * @param exampleAge whether the candidate model sees the example-age feature (else it is 0)
 * @param historyLength watches of history the candidate model sees (1..50)
 * @param weightedRanker weighted LR on watch time (the paper) or plain click LR (all weights 1)
 * @param hardRankerNegatives for datasets without impressions (MovieLens): draw the ranker's
 *     negatives from the candidate model's top 300 (the default) instead of uniformly; either way
 *     only among videos that existed at the watch and that the user had not watched
 * @param uploadFeatures a video's vectors (tower input and softmax row and bias) are its id
 *     embedding plus topic, channel and language embeddings in training, folded into plain
 *     per-video tables at export (beyond the paper); false = id embeddings only
 */
public record ModelVariant(
    int[] towerHidden,
    int[] rankerHidden,
    boolean exampleAge,
    int historyLength,
    boolean weightedRanker,
    boolean hardRankerNegatives,
    boolean uploadFeatures) {

  public ModelVariant {
    if (towerHidden != null && towerHidden.length != 2) {
      throw new IllegalArgumentException("towerHidden needs 2 widths");
    }
    if (rankerHidden != null && rankerHidden.length != 3) {
      throw new IllegalArgumentException("rankerHidden needs 3 widths");
    }
    if (historyLength < 1 || historyLength > FeatureEncoder.HISTORY) {
      throw new IllegalArgumentException(
          "history length must be in 1.." + FeatureEncoder.HISTORY + ", got " + historyLength);
    }
  }

  public static ModelVariant standard() {
    return new ModelVariant(null, null, true, FeatureEncoder.HISTORY, true, true, true);
  }

  public ModelVariant withTower(int h1, int h2) {
    return new ModelVariant(
        new int[] {h1, h2},
        rankerHidden,
        exampleAge,
        historyLength,
        weightedRanker,
        hardRankerNegatives,
        uploadFeatures);
  }

  public ModelVariant withRanker(int h1, int h2, int h3) {
    return new ModelVariant(
        towerHidden,
        new int[] {h1, h2, h3},
        exampleAge,
        historyLength,
        weightedRanker,
        hardRankerNegatives,
        uploadFeatures);
  }

  public ModelVariant withExampleAge(boolean on) {
    return new ModelVariant(
        towerHidden,
        rankerHidden,
        on,
        historyLength,
        weightedRanker,
        hardRankerNegatives,
        uploadFeatures);
  }

  public ModelVariant withHistoryLength(int n) {
    return new ModelVariant(
        towerHidden,
        rankerHidden,
        exampleAge,
        n,
        weightedRanker,
        hardRankerNegatives,
        uploadFeatures);
  }

  public ModelVariant withWeightedRanker(boolean weighted) {
    return new ModelVariant(
        towerHidden,
        rankerHidden,
        exampleAge,
        historyLength,
        weighted,
        hardRankerNegatives,
        uploadFeatures);
  }

  public ModelVariant withHardRankerNegatives(boolean hard) {
    return new ModelVariant(
        towerHidden, rankerHidden, exampleAge, historyLength, weightedRanker, hard, uploadFeatures);
  }

  public ModelVariant withUploadFeatures(boolean on) {
    return new ModelVariant(
        towerHidden,
        rankerHidden,
        exampleAge,
        historyLength,
        weightedRanker,
        hardRankerNegatives,
        on);
  }

  /** The standard shapes with this variant's layer widths. */
  ModelShapes apply(ModelShapes s) {
    int[] t = towerHidden != null ? towerHidden : new int[] {s.towerHidden1(), s.towerHidden2()};
    int[] r =
        rankerHidden != null
            ? rankerHidden
            : new int[] {s.rankerHidden1(), s.rankerHidden2(), s.rankerHidden3()};
    return new ModelShapes(
        s.videos(),
        s.tokens(),
        s.geos(),
        s.languages(),
        s.genders(),
        s.videoEmbedding(),
        s.tokenEmbedding(),
        s.geoEmbedding(),
        s.languageEmbedding(),
        s.genderEmbedding(),
        t[0],
        t[1],
        s.dims(),
        s.rankerVideoEmbedding(),
        s.rankerLanguageEmbedding(),
        r[0],
        r[1],
        r[2],
        s.rankerCandidateEmbedding());
  }

  public JsonObject toJson() {
    JsonObject j =
        new JsonObject()
            .put("example_age", exampleAge)
            .put("history_length", historyLength)
            .put("ranker_loss", weightedRanker ? "weighted_lr" : "click_lr")
            .put("ranker_negatives", hardRankerNegatives ? "retrieval_top_300" : "uniform")
            .put("upload_features", uploadFeatures);
    if (towerHidden != null) {
      j.put("tower_hidden", new JsonArray().add(towerHidden[0]).add(towerHidden[1]));
    }
    if (rankerHidden != null) {
      j.put(
          "ranker_hidden",
          new JsonArray().add(rankerHidden[0]).add(rankerHidden[1]).add(rankerHidden[2]));
    }
    return j;
  }
}
