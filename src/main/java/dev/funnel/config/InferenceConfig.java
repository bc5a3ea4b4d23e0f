package dev.funnel.config;

/**
 * @param workers inference worker threads, each owning one user tower and one ranker
 * @param maxPending requests admitted and not answered (feature read, queue, worker); one more is
 *     answered 503
 * @param device where DJL runs the models: AUTO (a GPU when the CUDA natives and a device are
 *     present, else the CPU), CPU, or GPU (fail at start when none is usable)
 * @param index which vector index serves retrieval: AUTO (the persisted ANN graph when the model
 *     has one, else the exact scan), EXACT, or ANN (fail at start when the model has no graph)
 * @param indexBeam the ANN search beam (candidates kept while walking the graph); 0 = the value
 *     persisted with the graph
 */
public record InferenceConfig(
    int workers, int maxPending, Device device, IndexType index, int indexBeam) {

  /** Where the models run. */
  public enum Device {
    AUTO,
    CPU,
    GPU
  }

  /** Which index answers top-K. */
  public enum IndexType {
    AUTO,
    EXACT,
    ANN
  }

  /** Defaults for everything but the worker pool: auto device, auto index, persisted beam. */
  public InferenceConfig(int workers, int maxPending) {
    this(workers, maxPending, Device.AUTO, IndexType.AUTO, 0);
  }
}
