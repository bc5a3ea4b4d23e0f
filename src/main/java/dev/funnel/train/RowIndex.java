package dev.funnel.train;

import java.util.Arrays;

/**
 * The distinct rows of one table that a batch touches, in order of first use, and the position of
 * each in that list: the Java side of a row-wise step. Ids are remapped to positions so that the
 * forward can index a small gathered leaf instead of the whole table. Reused across batches ({@link
 * #clear} costs the rows touched, not the table size). Not thread-safe.
 */
final class RowIndex {
  // slot[row] = position + 1 of row in this batch, 0 when the batch has not touched it.
  private final int[] slot;
  private long[] rows = new long[1024];
  private int size;

  RowIndex(long tableRows) {
    slot = new int[Math.toIntExact(tableRows)];
  }

  /** Forgets the batch. */
  void clear() {
    for (int i = 0; i < size; i++) {
      slot[(int) rows[i]] = 0;
    }
    size = 0;
  }

  /** The position of {@code row} in this batch, adding it when new. */
  int add(long row) {
    int r = (int) row;
    int s = slot[r];
    if (s != 0) {
      return s - 1;
    }
    if (size == rows.length) {
      rows = Arrays.copyOf(rows, size * 2);
    }
    rows[size] = row;
    slot[r] = ++size;
    return size - 1;
  }

  /** Replaces the first {@code n} ids of {@code ids} by their positions, adding new rows. */
  long[] remap(long[] ids, int n) {
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      out[i] = add(ids[i]);
    }
    return out;
  }

  int size() {
    return size;
  }

  long row(int position) {
    return rows[position];
  }

  /** The touched rows, by position. */
  long[] rows() {
    return Arrays.copyOf(rows, size);
  }

  long tableRows() {
    return slot.length;
  }
}
