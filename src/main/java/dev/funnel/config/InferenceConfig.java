package dev.funnel.config;

/**
 * @param workers inference worker threads, each owning one user tower and one ranker
 * @param maxPending requests queued or running on the workers; one more is answered 503
 */
public record InferenceConfig(int workers, int maxPending) {}
