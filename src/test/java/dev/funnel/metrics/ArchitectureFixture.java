package dev.funnel.metrics;

/** The other half of a planted api ↔ metrics cycle ({@link dev.funnel.ArchitectureTest}). */
public final class ArchitectureFixture {
  private ArchitectureFixture() {}

  static Object cycle() {
    return dev.funnel.api.ArchitectureFixture.class;
  }
}
