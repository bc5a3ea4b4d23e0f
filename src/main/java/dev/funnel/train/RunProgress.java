package dev.funnel.train;

import java.util.ArrayList;
import java.util.List;

/**
 * One ETA for a whole training run: the run plans its phases up front with their sizes (examples
 * per epoch × epochs, examples to score, users to evaluate), and the ETA is the sum over the work
 * left of size ÷ measured throughput of that kind of phase. A kind not measured yet is estimated
 * from the candidate model's measured rate and a prior relative cost; the candidate model trains
 * first and dominates, so the estimate is grounded within the first seconds.
 */
final class RunProgress {
  /** Kinds of work; the prior is the cost of one unit relative to one candidate-model example. */
  enum Kind {
    CANDIDATE(1.0),
    SCORING(0.1),
    RANKER(0.3),
    /** One unit: one evaluated user scored against the whole catalogue (per video). */
    EVALUATION(0.0005);

    final double priorCost;

    Kind(double priorCost) {
      this.priorCost = priorCost;
    }
  }

  /** One planned phase. */
  static final class Phase {
    final String name;
    final Kind kind;
    long units;
    long done;
    long startedNanos;
    double seconds;
    boolean finished;

    Phase(String name, Kind kind, long units) {
      this.name = name;
      this.kind = kind;
      this.units = Math.max(0, units);
    }
  }

  private final List<Phase> phases = new ArrayList<>();
  private final long started = System.nanoTime();

  Phase plan(String name, Kind kind, long units) {
    Phase p = new Phase(name, kind, units);
    phases.add(p);
    return p;
  }

  /** Drops a planned phase that will not run (e.g. no events after the cutoff). */
  void skip(Phase p) {
    phases.remove(p);
  }

  /** Re-plans a phase's size (e.g. early stopping ran fewer epochs than planned). */
  void resize(Phase p, long units) {
    p.units = Math.max(0, units);
    p.done = Math.min(p.done, p.units);
  }

  void start(Phase p) {
    p.startedNanos = System.nanoTime();
  }

  void update(Phase p, long done) {
    p.done = Math.min(done, p.units);
    p.seconds = (System.nanoTime() - p.startedNanos) / 1e9;
  }

  void finish(Phase p) {
    update(p, p.units);
    p.finished = true;
  }

  /** Seconds per unit of a kind: measured when any of it ran, else the prior × candidate's. */
  private double secondsPerUnit(Kind kind) {
    double measured = measured(kind);
    if (!Double.isNaN(measured)) {
      return measured;
    }
    double candidate = measured(Kind.CANDIDATE);
    return Double.isNaN(candidate) ? Double.NaN : candidate * kind.priorCost;
  }

  private double measured(Kind kind) {
    double seconds = 0;
    long units = 0;
    for (Phase p : phases) {
      if (p.kind == kind && p.done > 0) {
        seconds += p.seconds;
        units += p.done;
      }
    }
    return units == 0 ? Double.NaN : seconds / units;
  }

  /** Seconds left for the whole run, NaN while nothing has been measured yet. */
  double etaSeconds() {
    double eta = 0;
    for (Phase p : phases) {
      if (p.finished) {
        continue;
      }
      double perUnit = secondsPerUnit(p.kind);
      if (Double.isNaN(perUnit)) {
        return Double.NaN;
      }
      double left = (p.units - p.done) * perUnit;
      if (p.done == 0 && p.startedNanos != 0) {
        // Running without progress reports (evaluation): count down from the estimate.
        left = Math.max(0, left - (System.nanoTime() - p.startedNanos) / 1e9);
      }
      eta += left;
    }
    return eta;
  }

  double elapsedSeconds() {
    return (System.nanoTime() - started) / 1e9;
  }

  /** "run 37% ETA 4:12": share of the estimated total time done, and the time left. */
  String summary() {
    double eta = etaSeconds();
    if (Double.isNaN(eta)) {
      return "run ETA ?";
    }
    double elapsed = elapsedSeconds();
    long percent = Math.round(100 * elapsed / Math.max(1e-9, elapsed + eta));
    return String.format("run %d%% ETA %s", percent, Progress.clock(eta));
  }
}
