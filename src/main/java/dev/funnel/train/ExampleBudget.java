package dev.funnel.train;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scales {@code ./funnel train}'s defaults to the dataset: the candidate model's first fit may take
 * at most {@link #EXAMPLE_EPOCHS} examples × epochs. RW-small (≈ 390k examples × 6 epochs) is
 * within it and trains as before; at RW-1M (11M examples) it becomes one epoch over each user's
 * most recent watches, in larger batches, so that a plain {@code ./funnel train} finishes in well
 * under an hour on 2 cores. A per-user cap given by the caller ({@code --max-examples-per-user})
 * switches the budget off. The options it picks are what {@code model.json} records.
 */
final class ExampleBudget {
  private static final Logger log = LoggerFactory.getLogger(ExampleBudget.class);

  /** Example-epochs of the first fit; at ≈ 3,000 examples/s (RW-1M, 2 cores) about 14 minutes. */
  static final long EXAMPLE_EPOCHS = 2_500_000L;

  /**
   * Batch size once the budget applies: row-wise steps at 1M videos are cheapest per example here.
   */
  static final int LARGE_BATCH = 2048;

  private ExampleBudget() {}

  static TrainOptions fit(Timeline t, long cutoff, TrainOptions options) {
    if (options.maxExamplesPerUser() > 0) {
      return options;
    }
    long all = CandidateTrainer.countExamples(t, Long.MIN_VALUE, cutoff, options);
    if (all * options.epochs() <= EXAMPLE_EPOCHS) {
      return options;
    }
    int epochs = (int) Math.max(1, EXAMPLE_EPOCHS / all);
    TrainOptions scaled = options.withEpochs(epochs);
    if (all > EXAMPLE_EPOCHS) {
      // The largest per-user cap whose examples fit the budget in one epoch.
      int lo = 1;
      int hi = 1;
      while (CandidateTrainer.countExamples(t, Long.MIN_VALUE, cutoff, scaled.withCap(hi * 2))
          <= EXAMPLE_EPOCHS) {
        hi *= 2;
      }
      hi *= 2;
      while (hi - lo > 1) {
        int mid = (lo + hi) >>> 1;
        if (CandidateTrainer.countExamples(t, Long.MIN_VALUE, cutoff, scaled.withCap(mid))
            <= EXAMPLE_EPOCHS) {
          lo = mid;
        } else {
          hi = mid;
        }
      }
      scaled = scaled.withCap(lo).withBatchSize(Math.max(options.batchSize(), LARGE_BATCH));
    }
    log.info(
        "{} candidate examples before the cutoff x {} epochs exceed the default budget of {}:"
            + " training {} epoch(s), at most {} examples per user, batch {}"
            + " (--max-examples-per-user sets your own)",
        all,
        options.epochs(),
        EXAMPLE_EPOCHS,
        scaled.epochs(),
        scaled.maxExamplesPerUser() > 0 ? scaled.maxExamplesPerUser() : "all",
        scaled.batchSize());
    return scaled;
  }
}
