package dev.funnel.models.serving;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The serving model behind one reference that a reload swaps atomically. Each request leases the
 * model it starts with and keeps it to the end, so in-flight requests finish on the old model while
 * new ones get the new; the old model is closed only once its last lease is returned ({@link
 * Retired#idle()}). Thread-safe and lock-free.
 */
public final class ModelHolder {

  /** One model version and the number of requests using it now. */
  private static final class Entry {
    final ServingModel model;
    final AtomicInteger leases = new AtomicInteger();

    Entry(ServingModel model) {
      this.model = model;
    }
  }

  /** A model being used by one request; {@link #close()} returns it (exactly once). */
  public static final class Lease implements AutoCloseable {
    private final Entry entry;

    private Lease(Entry entry) {
      this.entry = entry;
    }

    public ServingModel model() {
      return entry.model;
    }

    @Override
    public void close() {
      entry.leases.decrementAndGet();
    }
  }

  /** A model swapped out: close it once {@link #idle()}. */
  public static final class Retired {
    private final Entry entry;

    private Retired(Entry entry) {
      this.entry = entry;
    }

    public ServingModel model() {
      return entry.model;
    }

    /** True when no request uses the model any more (and none can start to). */
    public boolean idle() {
      return entry.leases.get() == 0;
    }
  }

  private volatile Entry current;

  public ModelHolder(ServingModel initial) {
    this.current = new Entry(initial);
  }

  /** The model new requests get now. */
  public ServingModel current() {
    return current.model;
  }

  /** Leases the current model; the caller must close the lease when its request ends. */
  public Lease acquire() {
    while (true) {
      Entry e = current;
      e.leases.incrementAndGet();
      // A swap between the read and the increment: the retired entry may already look idle to
      // the closer, so give it back and take the new one.
      if (e == current) {
        return new Lease(e);
      }
      e.leases.decrementAndGet();
    }
  }

  /** Makes {@code next} the current model; returns the previous one, still open. */
  public synchronized Retired swap(ServingModel next) {
    Entry old = current;
    current = new Entry(next);
    return new Retired(old);
  }
}
