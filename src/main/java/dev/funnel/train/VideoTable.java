package dev.funnel.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * A table of per-video rows trained row-wise, where a video's row is its own id row plus one row
 * per {@link UploadFeatures} feature (topic, channel, language). Every part is updated by its own
 * {@link RowWiseAdam}, so a step costs the rows the batch touches. {@link #fold} adds the side rows
 * into the id table, which then holds exactly the rows training used: the serving format and the
 * serving blocks stay plain per-video tables.
 *
 * <p>Side tables start at zero, so training starts from the id table alone.
 */
final class VideoTable {
  private static final int FOLD_CHUNK = 65_536;

  private final RowWiseAdam id;
  private final RowWiseAdam[] sides;
  private final RowIndex[] sideIndex;
  private final UploadFeatures features;
  private final int offset;

  /**
   * @param idTable the per-video table, updated in place (e.g. a block parameter's array)
   * @param offset the table row of video 0: 1 when row 0 pads, else 0; rows below it have no side
   *     features
   */
  VideoTable(NDArray idTable, int offset, UploadFeatures features, float learningRate) {
    this.id = new RowWiseAdam(idTable, learningRate);
    this.features = features;
    this.offset = offset;
    long width = idTable.getShape().get(1);
    sides = new RowWiseAdam[features.count()];
    sideIndex = new RowIndex[features.count()];
    for (int f = 0; f < sides.length; f++) {
      NDArray side = idTable.getManager().zeros(new Shape(features.sizes()[f], width));
      sides[f] = new RowWiseAdam(side, learningRate);
      sideIndex[f] = new RowIndex(features.sizes()[f]);
    }
  }

  /** The rows of one step; {@link #rows} [k, width] is what the forward indexes by position. */
  record Gathered(RowWiseAdam.Rows id, RowWiseAdam.Rows[] sides, NDArray rows) {}

  /**
   * Gathers the rows of {@code index} (table rows, by position) and their side rows, and sums them.
   * Call it inside the step's GradientCollector: the sum must be recorded for the backward.
   */
  Gathered gather(NDManager step, RowIndex index) {
    RowWiseAdam.Rows idRows = id.gather(step, index);
    RowWiseAdam.Rows[] sideRows = new RowWiseAdam.Rows[sides.length];
    NDArray rows = idRows.leaf();
    int k = index.size();
    for (int f = 0; f < sides.length; f++) {
      RowIndex si = sideIndex[f];
      si.clear();
      long[] at = new long[k];
      for (int p = 0; p < k; p++) {
        at[p] = si.add(sideRow(f, index.row(p)));
      }
      sideRows[f] = sides[f].gather(step, si);
      rows = rows.add(lookup(step.create(at), sideRows[f].leaf()));
    }
    return new Gathered(idRows, sideRows, rows);
  }

  /** One row-wise Adam step on every part, after the backward. */
  void update(Gathered g) {
    id.update(g.id());
    for (int f = 0; f < sides.length; f++) {
      sides[f].update(g.sides()[f]);
    }
  }

  /**
   * Adds the side rows into the id table and zeroes the side tables: the rows are unchanged, and
   * the id table alone now holds them (what serving reads). Training may continue afterwards.
   */
  void fold() {
    if (sides.length == 0) {
      return;
    }
    NDArray table = id.table();
    long n = table.getShape().get(0);
    for (long from = offset; from < n; from += FOLD_CHUNK) {
      long to = Math.min(n, from + FOLD_CHUNK);
      try (NDManager tmp = table.getManager().newSubManager()) {
        NDIndex slice = new NDIndex(from + ":" + to);
        NDArray rows = table.get(tmp, slice);
        for (int f = 0; f < sides.length; f++) {
          long[] at = new long[(int) (to - from)];
          for (long r = from; r < to; r++) {
            at[(int) (r - from)] = sideRow(f, r);
          }
          rows = rows.add(lookup(tmp.create(at), sides[f].table()));
        }
        table.set(slice, rows);
      }
    }
    for (RowWiseAdam side : sides) {
      side.table().muli(0f);
    }
  }

  /** Copies of the id table's and the side tables' state, id first. */
  List<RowWiseAdam.State> snapshot() {
    List<RowWiseAdam.State> states = new ArrayList<>();
    states.add(id.snapshot());
    for (RowWiseAdam side : sides) {
      states.add(side.snapshot());
    }
    return states;
  }

  void restore(List<RowWiseAdam.State> states) {
    id.restore(states.get(0));
    for (int f = 0; f < sides.length; f++) {
      sides[f].restore(states.get(f + 1));
    }
  }

  private long sideRow(int f, long tableRow) {
    return tableRow < offset ? 0 : features.rows()[f][(int) (tableRow - offset)];
  }

  /** Rows of {@code table} at {@code ids} (the result lands in the ids' manager). */
  static NDArray lookup(NDArray ids, NDArray table) {
    NDArray idx = ids.getDataType() == DataType.INT64 ? ids : ids.toType(DataType.INT64, false);
    return idx.getNDArrayInternal().embedding(idx, table, SparseFormat.DENSE).singletonOrThrow();
  }
}
