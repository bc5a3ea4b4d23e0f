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
import dev.funnel.models.RankerBlock;
import dev.funnel.models.RankerInputs;
import java.util.ArrayList;
import java.util.List;

/**
 * One optimisation step of the ranker: its video embedding (V + 1 rows) is gathered to the batch's
 * rows and updated row-wise, the language table and the MLP by DJL's Adam.
 */
final class RankerStep {
  private final RankerBlock ranker;
  private final VideoTable videos;
  private final AdamUpdater dense;
  private final RowIndex rowsUsed;
  private final ParameterStore ps;
  private final WeightedLogisticLoss loss = new WeightedLogisticLoss();

  RankerStep(NDManager manager, RankerBlock ranker, float learningRate) {
    this.ranker = ranker;
    NDArray table = ranker.videoEmbedding().getArray();
    videos = new VideoTable(table, 1, UploadFeatures.none(), learningRate);
    List<Parameter> small = new ArrayList<>();
    for (Parameter p : ranker.getParameters().values()) {
      if (p != ranker.videoEmbedding()) {
        small.add(p);
      }
    }
    dense = new AdamUpdater(small, learningRate);
    rowsUsed = new RowIndex(table.getShape().get(0));
    ps = new ParameterStore(manager, false);
  }

  /**
   * Trains on the first {@code rows} rows of {@code inputs} (one user per row).
   *
   * @return the batch's weighted logistic loss before the update
   */
  float step(NDManager step, RankerInputs inputs, int rows, NDArray labels, NDArray weights) {
    rowsUsed.clear();
    rowsUsed.add(0); // position 0 stays the padding row
    long[] shown = rowsUsed.remap(inputs.videos(rows), rows);
    long[] history = rowsUsed.remap(inputs.history(rows), rows * FeatureEncoder.HISTORY);
    NDList x = inputs.toNDList(step, rows, rows);
    x.set(0, step.create(shown));
    x.set(2, step.create(history, new Shape(rows, FeatureEncoder.HISTORY)));
    VideoTable.Gathered v;
    float value;
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      v = videos.gather(step, rowsUsed);
      NDArray logits = ranker.forward(ps, x, v.rows(), true);
      NDArray l = loss.evaluate(new NDList(labels, weights), new NDList(logits));
      gc.backward(l);
      value = l.getFloat();
    }
    dense.step();
    videos.update(v);
    return value;
  }
}
