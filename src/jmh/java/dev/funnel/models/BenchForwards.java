package dev.funnel.models;

/**
 * The forwards a benchmark can compare on one bundle (package access for that): {@code direct}
 * (what serving uses), {@code block} (the blocks' own forward through a DJL Predictor) and {@code
 * block-grad} (the same with the parameters recording autograd history, as every version served
 * before the seventh pass of docs/benchmarks.md). Each JMH fork loads its own bundle, so a variant
 * never leaks into another.
 */
public final class BenchForwards {
  private BenchForwards() {}

  public static UserTower tower(ModelBundle bundle, String forward) {
    prepare(bundle, forward);
    return forward.equals("direct") ? bundle.newUserTower() : bundle.newBlockUserTower();
  }

  public static RankerModel ranker(ModelBundle bundle, String forward, int batch) {
    prepare(bundle, forward);
    return forward.equals("direct") ? bundle.newRanker(batch) : bundle.newBlockRanker(batch);
  }

  private static void prepare(ModelBundle bundle, String forward) {
    switch (forward) {
      case "direct", "block" -> bundle.requireGradients(false);
      case "block-grad" -> bundle.requireGradients(true);
      default -> throw new IllegalArgumentException("forward: direct, block or block-grad");
    }
  }
}
