package dev.funnel.train;

import java.io.PrintStream;

/**
 * A one-line console progress bar for a training epoch: done / total, percentage, throughput and
 * ETA, and, when it belongs to a {@link RunProgress}, the whole run's ETA; redrawn in place on
 * stderr at most a few times a second (so stdout stays clean for JSON and logs are not flooded).
 * When stderr is not a terminal it prints one line per quarter instead of carriage-return redraws,
 * which keeps CI and redirected logs readable.
 */
final class Progress {
  private static final long REDRAW_NANOS = 250_000_000L;
  private static final int WIDTH = 24;

  private final String label;
  private final long total;
  private final PrintStream out;
  private final boolean terminal;
  private final long started = System.nanoTime();
  private final RunProgress run;
  private final RunProgress.Phase phase;
  private final long phaseOffset;
  private long lastDraw;
  private int lastQuarter;

  Progress(String label, long total) {
    this(label, total, System.err, System.console() != null);
  }

  Progress(String label, long total, PrintStream out, boolean terminal) {
    this(label, total, out, terminal, null, null, 0);
  }

  /**
   * A bar that also reports to {@code phase} of {@code run} ({@code phaseOffset} units of the phase
   * done before this bar, e.g. earlier epochs) and shows the whole run's ETA.
   */
  Progress(String label, long total, RunProgress run, RunProgress.Phase phase, long phaseOffset) {
    this(label, total, System.err, System.console() != null, run, phase, phaseOffset);
  }

  Progress(
      String label,
      long total,
      PrintStream out,
      boolean terminal,
      RunProgress run,
      RunProgress.Phase phase,
      long phaseOffset) {
    this.label = label;
    this.total = Math.max(1, total);
    this.out = out;
    this.terminal = terminal;
    this.run = phase == null ? null : run;
    this.phase = phase;
    this.phaseOffset = phaseOffset;
  }

  /** Reports that {@code done} of the total are finished. */
  void update(long done) {
    if (run != null) {
      run.update(phase, phaseOffset + done);
    }
    long now = System.nanoTime();
    if (terminal) {
      if (now - lastDraw >= REDRAW_NANOS) {
        lastDraw = now;
        out.print("\r" + line(done, now));
        out.flush();
      }
    } else {
      int quarter = (int) (4 * Math.min(done, total) / total);
      if (quarter > lastQuarter && quarter < 4) {
        lastQuarter = quarter;
        out.println(line(done, now));
      }
    }
  }

  /** Final line with the totals. */
  void finish(String suffix) {
    if (run != null) {
      run.update(phase, phaseOffset + total);
    }
    String line = line(total, System.nanoTime()) + (suffix.isEmpty() ? "" : "  " + suffix);
    out.print(terminal ? "\r" + line + "\n" : line + "\n");
    out.flush();
  }

  String line(long done, long now) {
    double seconds = Math.max(1e-9, (now - started) / 1e9);
    double rate = done / seconds;
    double eta = rate > 0 ? (total - done) / rate : 0;
    int filled = (int) (WIDTH * Math.min(done, total) / total);
    String line =
        String.format(
            "%s [%s%s] %3d%% %d/%d  %.0f ex/s  ETA %s",
            label,
            "#".repeat(filled),
            ".".repeat(WIDTH - filled),
            100 * Math.min(done, total) / total,
            done,
            total,
            rate,
            clock(eta));
    return run == null ? line : line + "  | " + run.summary();
  }

  static String clock(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600
        ? String.format("%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
        : String.format("%d:%02d", s / 60, s % 60);
  }
}
