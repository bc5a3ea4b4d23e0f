package dev.funnel.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Row-wise Adam against DJL's dense Adam on the same gradients, with real libtorch. */
class RowWiseAdamTest {
  static final int ROWS = 12;
  static final int WIDTH = 5;
  static final float LR = 0.01f;

  NDManager m;

  @BeforeEach
  void open() {
    m = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    m.close();
  }

  @Test
  void update_touchedRowsMatchDenseAdam_othersBitwiseUnchanged() {
    float[] init = random(ROWS * WIDTH, 1);
    float[] coeff = random(4 * WIDTH, 2);
    long[] ids = {5, 2, 5, 7}; // row 5 twice: its gradients add up
    float[] dense = denseAdam(init, coeff, new long[][] {ids});
    float[] rowWise = rowWiseAdam(init, coeff, new long[][] {ids});

    for (int row = 0; row < ROWS; row++) {
      float[] before = row(init, row);
      float[] after = row(rowWise, row);
      if (row == 2 || row == 5 || row == 7) {
        assertArrayEquals(row(dense, row), after, 1e-6f, "row " + row);
        assertNotEquals(before[0], after[0], "row " + row + " should move");
      } else {
        for (int j = 0; j < WIDTH; j++) {
          assertEquals(
              Float.floatToRawIntBits(before[j]),
              Float.floatToRawIntBits(after[j]),
              "row " + row + " must not move");
        }
      }
    }
  }

  @Test
  void update_everyRowEveryStep_matchesDenseAdamOverSteps() {
    // When every row is touched at every step, the row counts equal the global one: lazy and dense
    // Adam must agree step after step (moments carried over, bias correction per step).
    float[] init = random(ROWS * WIDTH, 3);
    long[] strides = {5, 7, 11}; // coprime to ROWS: each step is a permutation of all rows
    long[][] steps = new long[strides.length][];
    for (int s = 0; s < steps.length; s++) {
      steps[s] = new long[ROWS];
      for (int i = 0; i < ROWS; i++) {
        steps[s][i] = (i * strides[s]) % ROWS;
      }
    }
    float[] coeff = random(ROWS * WIDTH, 4);
    assertArrayEquals(denseAdam(init, coeff, steps), rowWiseAdam(init, coeff, steps), 1e-6f);
  }

  @Test
  void update_rowFirstTouchedLate_takesAdamsFirstStep() {
    // Row 9 is touched only at step 3: with its own update count it moves exactly as a fresh dense
    // Adam's first step would (lr per coordinate here), not by the 3.2 × lr of a global count.
    float[] init = random(ROWS * WIDTH, 5);
    float[] coeff = random(1 * WIDTH, 6);
    long[][] late = {{1}, {1}, {9}};
    float[] afterLate = rowWiseAdam(init, coeff, late);
    float[] fresh = denseAdam(init, coeff, new long[][] {{9}});
    assertArrayEquals(row(fresh, 9), row(afterLate, 9), 1e-6f);
    for (int j = 0; j < WIDTH; j++) {
      assertEquals(LR, Math.abs(row(afterLate, 9)[j] - row(init, 9)[j]), 1e-5f);
    }
  }

  /** Loss of one step: Σ_i lookup(ids)_i · c_i, so row r's gradient is the sum of its c_i. */
  private static NDArray loss(NDArray table, NDArray ids, NDArray coeff) {
    NDArray rows =
        ids.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    return rows.mul(coeff).sum();
  }

  private float[] denseAdam(float[] init, float[] coeff, long[][] steps) {
    try (NDManager sub = m.newSubManager()) {
      NDArray table = sub.create(init, new Shape(ROWS, WIDTH));
      table.setRequiresGradient(true);
      Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed(LR)).build();
      for (long[] ids : steps) {
        try (NDManager step = sub.newSubManager()) {
          NDArray c = coefficients(step, coeff, ids.length);
          try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(loss(table, step.create(ids), c));
          }
          try (NDArray grad = table.getGradient()) {
            adam.update("table", table, grad);
            grad.subi(grad);
          }
        }
      }
      return table.toFloatArray();
    }
  }

  private float[] rowWiseAdam(float[] init, float[] coeff, long[][] steps) {
    try (NDManager sub = m.newSubManager()) {
      NDArray table = sub.create(init, new Shape(ROWS, WIDTH));
      RowWiseAdam adam = new RowWiseAdam(table, LR);
      RowIndex index = new RowIndex(ROWS);
      for (long[] ids : steps) {
        index.clear();
        long[] positions = index.remap(ids, ids.length);
        try (NDManager step = sub.newSubManager()) {
          RowWiseAdam.Rows rows = adam.gather(step, index);
          NDArray c = coefficients(step, coeff, ids.length);
          try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(loss(rows.leaf(), step.create(positions), c));
          }
          adam.update(rows);
        }
      }
      return table.toFloatArray();
    }
  }

  private static NDArray coefficients(NDManager step, float[] coeff, int n) {
    return step.create(Arrays.copyOf(coeff, n * WIDTH), new Shape(n, WIDTH))
        .toType(DataType.FLOAT32, false);
  }

  private static float[] random(int n, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (rnd.nextDouble() * 2 - 1);
    }
    return a;
  }

  private static float[] row(float[] table, int row) {
    return Arrays.copyOfRange(table, row * WIDTH, row * WIDTH + WIDTH);
  }
}
