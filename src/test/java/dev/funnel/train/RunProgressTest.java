package dev.funnel.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RunProgressTest {
  @Test
  void etaSeconds_beforeAnyMeasurement_isUnknown() {
    RunProgress run = new RunProgress();
    run.plan("a", RunProgress.Kind.CANDIDATE, 100);
    assertTrue(Double.isNaN(run.etaSeconds()));
    assertEquals("run ETA ?", run.summary());
  }

  @Test
  void etaSeconds_coversLaterPhasesFromTheMeasuredRateAndPriors() {
    RunProgress run = new RunProgress();
    RunProgress.Phase a = run.plan("a", RunProgress.Kind.CANDIDATE, 1000);
    RunProgress.Phase r = run.plan("r", RunProgress.Kind.RANKER, 1000);
    RunProgress.Phase c = run.plan("c", RunProgress.Kind.CANDIDATE, 500);
    run.start(a);
    run.update(a, 250);
    a.seconds = 10; // measured: 0.04 s per candidate example
    // a: 750 left × 0.04 = 30; r: 1000 × 0.04 × prior; c: 500 × 0.04 = 20
    double expected = 30 + 1000 * 0.04 * RunProgress.Kind.RANKER.priorCost + 20;
    assertEquals(expected, run.etaSeconds(), 1e-6);

    run.finish(a);
    a.seconds = 40;
    run.start(r);
    run.update(r, 500);
    r.seconds = 5; // ranker measured: 0.01 s per example, replaces the prior
    assertEquals(500 * 0.01 + 500 * 0.04, run.etaSeconds(), 1e-6);
    run.skip(c);
    assertEquals(500 * 0.01, run.etaSeconds(), 1e-6);
  }

  @Test
  void progressLine_inARun_showsTheRunsEta() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    RunProgress run = new RunProgress();
    RunProgress.Phase a = run.plan("a", RunProgress.Kind.CANDIDATE, 200);
    run.plan("b", RunProgress.Kind.CANDIDATE, 200);
    run.start(a);
    Progress p = new Progress("a epoch 1/1", 200, out, false, run, a, 0);
    for (int i = 0; i <= 200; i += 20) {
      p.update(i);
    }
    p.finish("");
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("| run "), text);
    assertTrue(
        text.lines().allMatch(l -> l.matches(".*\\| run (\\d+% ETA \\d+:\\d\\d|ETA \\?)$")), text);
    assertEquals(200, a.done);
  }
}
