package dev.funnel.models.serving;

import dev.funnel.config.ServingConfig.ClockMode;

/**
 * "Now" in epoch seconds for video ages and time since last watch. On recorded or generated data
 * the wall clock would make every video years old, so the data clock starts at the model's data end
 * time and advances with real time from the server start. Thread-safe.
 */
@FunctionalInterface
public interface ServingClock {
  long nowTs();

  static ServingClock of(ClockMode mode, long dataEndTs) {
    if (mode == ClockMode.WALL) {
      return () -> System.currentTimeMillis() / 1000;
    }
    long startNanos = System.nanoTime();
    return () -> dataEndTs + (System.nanoTime() - startNanos) / 1_000_000_000L;
  }
}
