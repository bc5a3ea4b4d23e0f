package dev.funnel.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.funnel.models.FeatureEncoder;
import dev.funnel.models.SoftmaxBlock;
import dev.funnel.models.UserInputs;
import dev.funnel.models.UserTowerBlock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One optimisation step of the candidate model: the tower's video embedding and the softmax weights
 * and bias (the V-row tables) are gathered to the batch's rows and updated row-wise ({@link
 * VideoTable}, with the upload-time side features), the tower's small dense layers by DJL's Adam.
 * {@link #fold} leaves the blocks holding exactly the tables training used.
 */
final class CandidateStep {
  private final UserTowerBlock tower;
  private final VideoTable towerVideos;
  private final VideoTable softmaxWeights;
  private final VideoTable softmaxBias;
  private final AdamUpdater dense;
  private final List<Parameter> denseParameters;
  private final RowIndex towerRows;
  private final RowIndex softmaxRows;
  private final ParameterStore ps;
  private final SampledSoftmaxLoss loss = new SampledSoftmaxLoss();
  private final UploadFeatures features;

  CandidateStep(
      NDManager manager,
      UserTowerBlock tower,
      SoftmaxBlock softmax,
      UploadFeatures features,
      float learningRate) {
    this.tower = tower;
    this.features = features;
    NDArray videos = tower.videoEmbedding().getArray();
    towerVideos = new VideoTable(videos, 1, features, learningRate);
    softmaxWeights = new VideoTable(softmax.weight().getArray(), 0, features, learningRate);
    softmaxBias = new VideoTable(softmax.bias().getArray(), 0, features, learningRate);
    List<Parameter> small = new ArrayList<>();
    for (Parameter p : tower.getParameters().values()) {
      if (p != tower.videoEmbedding()) {
        small.add(p);
      }
    }
    denseParameters = List.copyOf(small);
    dense = new AdamUpdater(small, learningRate);
    towerRows = new RowIndex(videos.getShape().get(0));
    softmaxRows = new RowIndex(softmax.videos());
    ps = new ParameterStore(manager, false);
  }

  /**
   * Trains on the first {@code rows} users of {@code inputs}, whose next watches are {@code
   * positives}, against the shared {@code sampled} negatives; log-expected counts correct both.
   *
   * @return the batch's sampled-softmax loss before the update
   */
  float step(
      NDManager step,
      UserInputs inputs,
      int rows,
      long[] positives,
      float[] positiveLogQ,
      long[] sampled,
      float[] sampledLogQ) {
    return step(
        step,
        inputs.toNDList(step, rows),
        inputs.history(rows),
        positives,
        positiveLogQ,
        sampled,
        sampledLogQ);
  }

  /**
   * As above, from the tower's input arrays {@code x} (the first is replaced) and the Java copy of
   * their history rows [rows × 50], which this step remaps to positions of the gathered rows.
   */
  float step(
      NDManager step,
      NDList x,
      long[] historyRows,
      long[] positives,
      float[] positiveLogQ,
      long[] sampled,
      float[] sampledLogQ) {
    int rows = historyRows.length / FeatureEncoder.HISTORY;
    towerRows.clear();
    towerRows.add(0); // position 0 stays the padding row the masked mean skips
    long[] history = towerRows.remap(historyRows, historyRows.length);
    softmaxRows.clear();
    NDArray pos = step.create(softmaxRows.remap(positives, rows));
    NDArray neg = step.create(softmaxRows.remap(sampled, sampled.length));
    x.set(0, step.create(history, new Shape(rows, FeatureEncoder.HISTORY)));
    NDArray posLogQ = step.create(Arrays.copyOf(positiveLogQ, rows));
    NDArray negLogQ = step.create(sampledLogQ);
    // Positions are unique per row, so equal positions are equal videos.
    NDArray hits = SampledSoftmaxLoss.accidentalHits(pos, neg);
    VideoTable.Gathered v;
    VideoTable.Gathered w;
    VideoTable.Gathered b;
    float value;
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      v = towerVideos.gather(step, towerRows);
      w = softmaxWeights.gather(step, softmaxRows);
      b = softmaxBias.gather(step, softmaxRows);
      NDArray u = tower.forward(ps, x, v.rows(), true);
      NDArray posLogits = SoftmaxBlock.pairLogits(u, pos, w.rows(), b.rows());
      NDArray negLogits = SoftmaxBlock.logits(u, neg, w.rows(), b.rows());
      NDArray l =
          loss.evaluate(new NDList(posLogQ, negLogQ, hits), new NDList(posLogits, negLogits));
      gc.backward(l);
      value = l.getFloat();
    }
    dense.step();
    towerVideos.update(v);
    softmaxWeights.update(w);
    softmaxBias.update(b);
    return value;
  }

  /**
   * A copy of every weight and of the row-wise optimizer state, to return to the best epoch (early
   * stopping). DJL's Adam state of the small dense layers is not copied: by then its moments are
   * averages over the last ~1,000 steps and its bias correction is ≈ 1, so continuing from the
   * later state changes little.
   */
  final class Snapshot implements AutoCloseable {
    private final List<NDArray> dense = new ArrayList<>();
    private final List<List<RowWiseAdam.State>> tables = new ArrayList<>();

    private Snapshot() {
      for (Parameter p : denseParameters) {
        dense.add(p.getArray().duplicate());
      }
      for (VideoTable t : videoTables()) {
        tables.add(t.snapshot());
      }
    }

    /** Puts the copied state back into the blocks and the optimizer. */
    void restore() {
      for (int i = 0; i < dense.size(); i++) {
        dense.get(i).copyTo(denseParameters.get(i).getArray());
      }
      List<VideoTable> all = videoTables();
      for (int i = 0; i < all.size(); i++) {
        all.get(i).restore(tables.get(i));
      }
    }

    @Override
    public void close() {
      dense.forEach(NDArray::close);
      tables.forEach(states -> states.forEach(RowWiseAdam.State::close));
    }
  }

  Snapshot snapshot() {
    return new Snapshot();
  }

  private List<VideoTable> videoTables() {
    return List.of(towerVideos, softmaxWeights, softmaxBias);
  }

  /** The upload-time features the video tables add to each id row. */
  UploadFeatures features() {
    return features;
  }

  /** Folds the side features into the blocks' tables (see {@link VideoTable#fold}). */
  void fold() {
    towerVideos.fold();
    softmaxWeights.fold();
    softmaxBias.fold();
  }
}
