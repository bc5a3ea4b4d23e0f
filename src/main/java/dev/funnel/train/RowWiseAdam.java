package dev.funnel.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Lazy Adam over the rows of one large table (like PyTorch's SparseAdam): a step gathers the rows a
 * batch touches into a small leaf that takes the gradient, and afterwards updates only those rows
 * of the table and of its first and second moments. A step therefore costs what the batch touches,
 * not the table size, and rows the batch does not touch stay bitwise unchanged. DJL's Adam is dense
 * (every step rewrites every row) and does not take sparse gradients (DESIGN.md §7).
 *
 * <p>The update is DJL's Adam per row: m = β1·m + (1−β1)·g, v = β2·v + (1−β2)·g², w −= lr ·
 * √(1−β2^t) / (1−β1^t) · m / (√v + ε). The bias-correction count t is the row's own number of
 * updates, not the global step that PyTorch's SparseAdam uses: a row's moments are averages over
 * exactly the steps that touched it, so its own count is what unbiases them. With the global count,
 * a row first touched at a late step would move (1−β1)/√(1−β2) ≈ 3.2 × lr at once, and in a
 * long-tailed catalogue most rows are touched rarely; with its own count it moves lr, as on Adam's
 * first step. Rows touched at every step get exactly dense Adam's update.
 *
 * <p>Write-back uses {@link NDArray#set(NDIndex, NDArray)} with an array index, which DJL's PyTorch
 * engine maps to torch {@code index_put_}; {@code NDArray.put} (torch {@code put_} on flattened
 * indices) measured far slower.
 */
final class RowWiseAdam {
  private static final float BETA1 = 0.9f;
  private static final float BETA2 = 0.999f;
  private static final float EPSILON = 1e-8f;

  /** The rows of one step: their table ids and the leaf [k, width] that takes the gradient. */
  record Rows(NDArray ids, NDArray leaf, long[] rows) {}

  private final NDArray table;
  private final NDArray mean;
  private final NDArray variance;
  private final int[] updates;
  private final float learningRate;

  /** Updates {@code table} [rows, width] in place; the moments live in the table's manager. */
  RowWiseAdam(NDArray table, float learningRate) {
    if (table.getShape().dimension() != 2) {
      throw new IllegalArgumentException(
          "row-wise Adam needs a 2-d table, got " + table.getShape());
    }
    this.table = table;
    this.learningRate = learningRate;
    // The table is written in place, never differentiated: only gathered leaves take gradients.
    table.setRequiresGradient(false);
    mean = table.zerosLike();
    variance = table.zerosLike();
    updates = new int[Math.toIntExact(table.getShape().get(0))];
  }

  NDArray table() {
    return table;
  }

  /** A copy of the table, its moments and its rows' update counts (for early stopping). */
  record State(NDArray table, NDArray mean, NDArray variance, int[] updates)
      implements AutoCloseable {
    @Override
    public void close() {
      table.close();
      mean.close();
      variance.close();
    }
  }

  State snapshot() {
    return new State(table.duplicate(), mean.duplicate(), variance.duplicate(), updates.clone());
  }

  /** Puts back what {@link #snapshot} copied, in place. */
  void restore(State s) {
    s.table().copyTo(table);
    s.mean().copyTo(mean);
    s.variance().copyTo(variance);
    System.arraycopy(s.updates(), 0, updates, 0, updates.length);
  }

  /** Copies the rows of {@code index} (by position) into a fresh leaf in {@code step}. */
  Rows gather(NDManager step, RowIndex index) {
    if (index.tableRows() != updates.length) {
      throw new IllegalArgumentException("row index and table differ in size");
    }
    long[] rows = index.rows();
    NDArray ids = step.create(rows);
    // An embedding lookup, not table.get(NDIndex): DJL's advanced-indexing get measured ~20×
    // slower for 12,000 rows of 64.
    NDArray leaf = VideoTable.lookup(ids, table).stopGradient();
    leaf.setRequiresGradient(true);
    return new Rows(ids, leaf, rows);
  }

  /** One Adam step on the gathered rows from the gradient the leaf collected. */
  void update(Rows r) {
    NDManager step = r.ids().getManager();
    NDIndex at = new NDIndex("{}", r.ids());
    int k = r.rows().length;
    float[] scale = new float[k];
    for (int i = 0; i < k; i++) {
      int t = ++updates[(int) r.rows()[i]];
      scale[i] =
          (float) (learningRate * Math.sqrt(1 - Math.pow(BETA2, t)) / (1 - Math.pow(BETA1, t)));
    }
    try (NDArray grad = r.leaf().getGradient()) {
      NDArray m = VideoTable.lookup(r.ids(), mean).muli(BETA1).addi(grad.mul(1 - BETA1));
      NDArray v =
          VideoTable.lookup(r.ids(), variance).muli(BETA2).addi(grad.square().muli(1 - BETA2));
      NDArray delta = m.div(v.sqrt().addi(EPSILON)).muli(step.create(scale, new Shape(k, 1)));
      NDArray w = r.leaf().stopGradient().sub(delta);
      table.set(at, w);
      mean.set(at, m);
      variance.set(at, v);
    }
  }
}
