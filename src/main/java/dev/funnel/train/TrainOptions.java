package dev.funnel.train;

import io.vertx.core.json.JsonObject;

/**
 * Knobs of one training run. {@link #defaults()} is what {@code ./funnel train} uses; {@link
 * #fast()} trades quality for seconds (tests, demos on tiny worlds).
 *
 * @param epochs passes of the candidate model over its examples
 * @param rankerEpochs passes of the ranker over its examples
 * @param batchSize candidate-model examples per step
 * @param negatives sampled-softmax negatives per step, shared by the whole batch
 * @param learningRate Adam step size for the candidate model
 * @param rankerBatchSize ranker examples per step
 * @param rankerLearningRate Adam step size for the ranker
 * @param cutoffQuantile the train/test split: events before this quantile of watch times train
 * @param maxRankerExamples cap on ranker training impressions (uniform sample beyond it)
 * @param maxTokens largest search-token vocabulary (most frequent tokens first)
 * @param popularWindowDays how far back the popularity list counts watches
 * @param seed seeds initialisation, shuffling and negative sampling
 * @param maxExamplesPerUser candidate-model examples kept per user: the user's most recent watches
 *     before the cutoff, as the paper does so that heavy users do not dominate the loss; 0 = every
 *     watch. At RW-1M this is what makes training take minutes, not hours.
 * @param rankerQuantile c1 of the out-of-sample protocol ({@link ModelTrainer}): the candidate
 *     model that scores the ranker's examples is fitted on watches before this quantile of watch
 *     times, and the ranker trains on the events between it and the cutoff
 */
public record TrainOptions(
    int epochs,
    int rankerEpochs,
    int batchSize,
    int negatives,
    float learningRate,
    int rankerBatchSize,
    float rankerLearningRate,
    double cutoffQuantile,
    int maxRankerExamples,
    int maxTokens,
    int popularWindowDays,
    long seed,
    int maxExamplesPerUser,
    double rankerQuantile,
    Order order) {

  public static final double DEFAULT_RANKER_QUANTILE = 0.8;

  /**
   * The serving order to record ({@code --order}): {@link #AUTO} chooses it on the ranker window's
   * held-out users ({@link OrderChoice}); the others force it (the validation still runs and is
   * recorded).
   */
  public enum Order {
    AUTO,
    RANKER,
    RETRIEVAL;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * @throws IllegalArgumentException for anything but auto, ranker or retrieval
     */
    public static Order parse(String label) {
      for (Order o : values()) {
        if (o.label().equals(label)) {
          return o;
        }
      }
      throw new IllegalArgumentException(
          "order must be auto, ranker or retrieval, got '" + label + "'");
    }
  }

  public TrainOptions {
    if (epochs < 1 || rankerEpochs < 1) {
      throw new IllegalArgumentException("epochs must be at least 1");
    }
    if (batchSize < 1 || rankerBatchSize < 1 || negatives < 1) {
      throw new IllegalArgumentException("batch sizes and negatives must be positive");
    }
    if (!(cutoffQuantile > 0 && cutoffQuantile < 1)) {
      throw new IllegalArgumentException(
          "cutoff quantile must be in (0, 1), got " + cutoffQuantile);
    }
    if (!(learningRate > 0) || !(rankerLearningRate > 0)) {
      throw new IllegalArgumentException("learning rates must be positive");
    }
    if (!(rankerQuantile > 0 && rankerQuantile < 1)) {
      throw new IllegalArgumentException(
          "ranker quantile must be in (0, 1), got " + rankerQuantile);
    }
    if (order == null) {
      throw new IllegalArgumentException("order must be given (auto, ranker or retrieval)");
    }
    if (maxExamplesPerUser < 0 || maxRankerExamples < 1) {
      throw new IllegalArgumentException(
          "maxExamplesPerUser must be >= 0 and maxRankerExamples >= 1");
    }
  }

  /** With the order chosen on validation ({@link Order#AUTO}). */
  public TrainOptions(
      int epochs,
      int rankerEpochs,
      int batchSize,
      int negatives,
      float learningRate,
      int rankerBatchSize,
      float rankerLearningRate,
      double cutoffQuantile,
      int maxRankerExamples,
      int maxTokens,
      int popularWindowDays,
      long seed,
      int maxExamplesPerUser,
      double rankerQuantile) {
    this(
        epochs,
        rankerEpochs,
        batchSize,
        negatives,
        learningRate,
        rankerBatchSize,
        rankerLearningRate,
        cutoffQuantile,
        maxRankerExamples,
        maxTokens,
        popularWindowDays,
        seed,
        maxExamplesPerUser,
        rankerQuantile,
        Order.AUTO);
  }

  /** With the default ranker quantile. */
  public TrainOptions(
      int epochs,
      int rankerEpochs,
      int batchSize,
      int negatives,
      float learningRate,
      int rankerBatchSize,
      float rankerLearningRate,
      double cutoffQuantile,
      int maxRankerExamples,
      int maxTokens,
      int popularWindowDays,
      long seed,
      int maxExamplesPerUser) {
    this(
        epochs,
        rankerEpochs,
        batchSize,
        negatives,
        learningRate,
        rankerBatchSize,
        rankerLearningRate,
        cutoffQuantile,
        maxRankerExamples,
        maxTokens,
        popularWindowDays,
        seed,
        maxExamplesPerUser,
        DEFAULT_RANKER_QUANTILE);
  }

  /** The pre-cap constructor: every watch is an example. */
  public TrainOptions(
      int epochs,
      int rankerEpochs,
      int batchSize,
      int negatives,
      float learningRate,
      int rankerBatchSize,
      float rankerLearningRate,
      double cutoffQuantile,
      int maxRankerExamples,
      int maxTokens,
      int popularWindowDays,
      long seed) {
    this(
        epochs,
        rankerEpochs,
        batchSize,
        negatives,
        learningRate,
        rankerBatchSize,
        rankerLearningRate,
        cutoffQuantile,
        maxRankerExamples,
        maxTokens,
        popularWindowDays,
        seed,
        0);
  }

  public static TrainOptions defaults() {
    return new TrainOptions(6, 3, 512, 2048, 0.002f, 1024, 0.001f, 0.9, 400_000, 50_000, 7, 42L);
  }

  /** For tests and tiny worlds: well under a minute for ~2,000 videos and 500 users. */
  public static TrainOptions fast() {
    return new TrainOptions(4, 2, 256, 512, 0.005f, 512, 0.002f, 0.9, 50_000, 50_000, 7, 42L);
  }

  public TrainOptions withEpochs(int n) {
    return new TrainOptions(
        n,
        rankerEpochs,
        batchSize,
        negatives,
        learningRate,
        rankerBatchSize,
        rankerLearningRate,
        cutoffQuantile,
        maxRankerExamples,
        maxTokens,
        popularWindowDays,
        seed,
        maxExamplesPerUser,
        rankerQuantile,
        order);
  }

  public TrainOptions withSeed(long s) {
    return new TrainOptions(
        epochs,
        rankerEpochs,
        batchSize,
        negatives,
        learningRate,
        rankerBatchSize,
        rankerLearningRate,
        cutoffQuantile,
        maxRankerExamples,
        maxTokens,
        popularWindowDays,
        s,
        maxExamplesPerUser,
        rankerQuantile,
        order);
  }

  public TrainOptions withRankerQuantile(double q) {
    return new TrainOptions(
        epochs,
        rankerEpochs,
        batchSize,
        negatives,
        learningRate,
        rankerBatchSize,
        rankerLearningRate,
        cutoffQuantile,
        maxRankerExamples,
        maxTokens,
        popularWindowDays,
        seed,
        maxExamplesPerUser,
        q,
        order);
  }

  public TrainOptions withCap(int n) {
    return new TrainOptions(
        epochs,
        rankerEpochs,
        batchSize,
        negatives,
        learningRate,
        rankerBatchSize,
        rankerLearningRate,
        cutoffQuantile,
        maxRankerExamples,
        maxTokens,
        popularWindowDays,
        seed,
        n,
        rankerQuantile,
        order);
  }

  public TrainOptions withBatchSize(int n) {
    return new TrainOptions(
        epochs,
        rankerEpochs,
        n,
        negatives,
        learningRate,
        rankerBatchSize,
        rankerLearningRate,
        cutoffQuantile,
        maxRankerExamples,
        maxTokens,
        popularWindowDays,
        seed,
        maxExamplesPerUser,
        rankerQuantile,
        order);
  }

  public TrainOptions withOrder(Order o) {
    return new TrainOptions(
        epochs,
        rankerEpochs,
        batchSize,
        negatives,
        learningRate,
        rankerBatchSize,
        rankerLearningRate,
        cutoffQuantile,
        maxRankerExamples,
        maxTokens,
        popularWindowDays,
        seed,
        maxExamplesPerUser,
        rankerQuantile,
        o);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("epochs", epochs)
        .put("ranker_epochs", rankerEpochs)
        .put("batch_size", batchSize)
        .put("negatives", negatives)
        .put("learning_rate", learningRate)
        .put("ranker_batch_size", rankerBatchSize)
        .put("ranker_learning_rate", rankerLearningRate)
        .put("cutoff_quantile", cutoffQuantile)
        .put("max_ranker_examples", maxRankerExamples)
        .put("max_tokens", maxTokens)
        .put("popular_window_days", popularWindowDays)
        .put("seed", seed)
        .put("max_examples_per_user", maxExamplesPerUser)
        .put("ranker_quantile", rankerQuantile)
        .put("order", order.label());
  }
}
