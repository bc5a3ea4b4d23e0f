package dev.funnel.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.List;

/**
 * Adam over a fixed list of parameters, for hand-written training loops (the losses here do not fit
 * DJL's Trainer, which wants one Loss over one forward). After each update the gradient is zeroed:
 * PyTorch accumulates gradients across backward passes.
 */
final class AdamUpdater {
  private final List<Parameter> parameters;
  private final Optimizer optimizer;

  AdamUpdater(List<Parameter> parameters, float learningRate) {
    this.parameters = List.copyOf(parameters);
    this.optimizer = Optimizer.adam().optLearningRateTracker(Tracker.fixed(learningRate)).build();
    for (Parameter p : this.parameters) {
      p.getArray().setRequiresGradient(true);
    }
  }

  void step() {
    for (Parameter p : parameters) {
      NDArray weight = p.getArray();
      // getGradient wraps the tensor's grad in a new handle: close it, or handles pile up.
      try (NDArray grad = weight.getGradient()) {
        optimizer.update(p.getId(), weight, grad);
        grad.subi(grad);
      }
    }
  }
}
