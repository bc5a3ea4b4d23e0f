package dev.funnel.models;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;

/**
 * One trained model version, loaded from {@code models/<version>/}: both models' parameters, the
 * video vectors (softmax weights W and bias b), the catalogue, normalisation quantiles, the
 * popularity list and the manifest. Immutable and shared by all workers; the per-thread parts
 * (predictors) come from {@link #newUserTower()} and {@link #newRanker()}.
 */
public final class ModelBundle implements AutoCloseable {
  // Filled in by the models work.

  public static ModelBundle load(Path dir) throws IOException {
    throw new UnsupportedOperationException("ModelBundle: not built yet");
  }

  public String version() {
    throw new UnsupportedOperationException();
  }

  public JsonObject manifest() {
    throw new UnsupportedOperationException();
  }

  public VideoCatalog catalog() {
    throw new UnsupportedOperationException();
  }

  /** Length d of user and video vectors. */
  public int dims() {
    throw new UnsupportedOperationException();
  }

  /** Video vectors W, row-major, catalog().size() × dims(). Do not modify. */
  public float[] videoVectors() {
    throw new UnsupportedOperationException();
  }

  /** Softmax bias b, one per video. Do not modify. */
  public float[] videoBias() {
    throw new UnsupportedOperationException();
  }

  /** Dense ids of the most popular videos at the end of training data, most popular first. */
  public int[] popular() {
    throw new UnsupportedOperationException();
  }

  /** The last event time of the training data: "now" on the data clock. */
  public long dataEndTs() {
    throw new UnsupportedOperationException();
  }

  public UserTower newUserTower() {
    throw new UnsupportedOperationException();
  }

  public RankerModel newRanker() {
    throw new UnsupportedOperationException();
  }

  @Override
  public void close() {}
}
