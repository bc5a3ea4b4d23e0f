package dev.funnel.data.generate;

import dev.funnel.data.DatasetWriter;
import java.util.Arrays;

/**
 * Events of one kind in primitive columns, released to the writer in time order. Sessions that
 * start in one time slice may run into the next, so {@link #flushBefore} writes only the events
 * before the slice boundary and keeps the rest for the next round; nothing else is held, so memory
 * stays at one slice of events whatever the size of the world.
 */
abstract class EventBuffer {
  protected int size;
  protected int[] user = new int[1024];
  protected long[] ts = new long[1024];
  private long written;
  private long maxTs = Long.MIN_VALUE;

  /** Makes room for one more event and returns its slot; subclasses fill their own columns. */
  protected int append(int u, long t) {
    if (size == ts.length) {
      grow(size * 2);
    }
    user[size] = u;
    ts[size] = t;
    return size++;
  }

  private void grow(int capacity) {
    user = Arrays.copyOf(user, capacity);
    ts = Arrays.copyOf(ts, capacity);
    growColumns(capacity);
  }

  private void move(int from, int to) {
    user[to] = user[from];
    ts[to] = ts[from];
    moveColumns(from, to);
  }

  /** Resizes the subclass's own columns. */
  protected abstract void growColumns(int capacity);

  /** Writes row {@code i}. */
  protected abstract void write(int i, DatasetWriter out);

  /** Copies the subclass's columns of row {@code from} into slot {@code to}. */
  protected abstract void moveColumns(int from, int to);

  long written() {
    return written;
  }

  long maxTs() {
    return maxTs;
  }

  /** Writes, in time order, every buffered event with ts < bound; keeps the later ones. */
  void flushBefore(long bound, DatasetWriter out) {
    if (size == 0) {
      return;
    }
    if (size >= 1 << 24) {
      throw new IllegalStateException("too many events in one time slice: " + size);
    }
    // (ts, slot) packed in one long: a primitive sort, ties kept in generation order.
    long base = Long.MAX_VALUE;
    for (int i = 0; i < size; i++) {
      base = Math.min(base, ts[i]);
    }
    long[] keys = new long[size];
    for (int i = 0; i < size; i++) {
      keys[i] = ((ts[i] - base) << 24) | i;
    }
    Arrays.sort(keys);
    int emitted = 0;
    while (emitted < size && ts[(int) (keys[emitted] & 0xFFFFFF)] < bound) {
      int i = (int) (keys[emitted] & 0xFFFFFF);
      write(i, out);
      maxTs = Math.max(maxTs, ts[i]);
      emitted++;
    }
    written += emitted;
    // Keep the rest, in time order, at the front.
    int kept = size - emitted;
    if (kept > 0) {
      int[] order = new int[kept];
      for (int k = 0; k < kept; k++) {
        order[k] = (int) (keys[emitted + k] & 0xFFFFFF);
      }
      compact(order);
    }
    size = kept;
  }

  /** Drops everything still buffered (events past the end of the period). */
  void clear() {
    size = 0;
  }

  private void compact(int[] order) {
    // Through a scratch copy: the kept slots can sit anywhere, in any order.
    int kept = order.length;
    int scratch = size;
    if (scratch + kept > ts.length) {
      grow(scratch + kept);
    }
    for (int k = 0; k < kept; k++) {
      move(order[k], scratch + k);
    }
    for (int k = 0; k < kept; k++) {
      move(scratch + k, k);
    }
  }
}
