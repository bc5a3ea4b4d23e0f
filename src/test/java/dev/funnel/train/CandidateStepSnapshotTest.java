package dev.funnel.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.funnel.models.ModelShapes;
import dev.funnel.models.SoftmaxBlock;
import dev.funnel.models.UserInputs;
import dev.funnel.models.UserTowerBlock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Early stopping returns to the best epoch: a snapshot restores every weight of the model. */
class CandidateStepSnapshotTest {
  private static final int VIDEOS = 6;

  @Test
  void snapshot_restoreAfterMoreSteps_givesBackEveryWeight() {
    try (NDManager m = NDManager.newBaseManager()) {
      ModelShapes shapes = ModelShapes.standard(VIDEOS, 4, 2, 2, 3);
      UserTowerBlock tower = new UserTowerBlock(shapes);
      tower.initialize(m, DataType.FLOAT32, UserTowerBlock.inputShapes(4));
      SoftmaxBlock softmax = new SoftmaxBlock(VIDEOS, shapes.dims());
      softmax.initialize(m, DataType.FLOAT32, new Shape(1, shapes.dims()), new Shape(1));
      CandidateStep step = new CandidateStep(m, tower, softmax, VideoTableTest.features(), 0.05f);
      SplittableRandom rnd = new SplittableRandom(7);
      train(m, step, rnd, 3);
      step.fold();
      List<float[]> kept = weights(tower, softmax);
      try (CandidateStep.Snapshot snapshot = step.snapshot()) {
        train(m, step, rnd, 3);
        step.fold();
        List<float[]> moved = weights(tower, softmax);
        boolean anyMoved = false;
        for (int i = 0; i < kept.size(); i++) {
          anyMoved |= !Arrays.equals(kept.get(i), moved.get(i));
        }
        assertTrue(anyMoved, "training moved no weight: the test would prove nothing");
        snapshot.restore();
      }
      List<float[]> restored = weights(tower, softmax);
      for (int i = 0; i < kept.size(); i++) {
        assertArrayEquals(kept.get(i), restored.get(i), "parameter " + i);
      }
    }
  }

  private static void train(NDManager m, CandidateStep step, SplittableRandom rnd, int steps) {
    int rows = 4;
    UserInputs inputs = new UserInputs(rows); // empty histories: the dense layers still learn
    for (int s = 0; s < steps; s++) {
      long[] positives = new long[rows];
      for (int r = 0; r < rows; r++) {
        positives[r] = rnd.nextInt(VIDEOS);
      }
      long[] sampled = {0, 1, 2};
      try (NDManager sm = m.newSubManager()) {
        step.step(sm, inputs, rows, positives, new float[rows], sampled, new float[3]);
      }
    }
  }

  private static List<float[]> weights(UserTowerBlock tower, SoftmaxBlock softmax) {
    List<float[]> out = new ArrayList<>();
    for (Parameter p : tower.getParameters().values()) {
      out.add(p.getArray().toFloatArray());
    }
    out.add(softmax.weight().getArray().toFloatArray());
    out.add(softmax.bias().getArray().toFloatArray());
    return out;
  }
}
