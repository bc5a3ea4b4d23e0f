package dev.funnel.api;

/**
 * Planted violations for {@link dev.funnel.ArchitectureTest} to prove its rules catch them: a
 * serving → offline edge written as an inline qualified name (no import), and one half of an api ↔
 * metrics cycle. Test sources only; never in the jar.
 */
public final class ArchitectureFixture {
  private ArchitectureFixture() {}

  static String id(dev.funnel.data.Video video) {
    return video.id();
  }

  static Object cycle() {
    return dev.funnel.metrics.ArchitectureFixture.class;
  }
}
