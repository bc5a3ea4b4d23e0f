package dev.funnel.pipeline;

import dev.funnel.models.FeatureEncoder;
import dev.funnel.ranking.ScoredVideos;
import dev.funnel.retrieval.Candidates;

/**
 * What {@link RecommendPipeline} notes about one request as it runs, in funnel order. Requests that
 * do not ask for an explanation get {@link #NONE}, whose every note does nothing, so the hot path
 * has no branches for explain; {@link ExplainTrace} keeps the notes for {@code ?explain=true}.
 */
interface Trace {

  /** Notes nothing. */
  Trace NONE = new Trace() {};

  /** What the request knows about the user once features and the request are merged. */
  default void prepared(ResolvedRequest request) {}

  /** A reason why the answer is degraded (there may be several: store and deadline). */
  default void because(String why) {}

  /** The tower and the index ran; the answer is at least the retrieval order. */
  default void retrieved(int indexed, Candidates candidates) {}

  /**
   * The ranker scored the candidates and the list is in {@code order}: {@code ranker}, {@code
   * retrieval} (the version's recorded order; scores stay the ranker's seconds) or {@code related}
   * (watch-next's blend).
   */
  default void ranked(String order) {}

  /** A model call failed: the answer is popular videos, none of it from retrieval or the ranker. */
  default void modelFailed() {}

  /** The answer: described per returned video on the inference worker. */
  default void describe(ScoredVideos videos, ResolvedRequest request, FeatureEncoder encoder) {}
}
