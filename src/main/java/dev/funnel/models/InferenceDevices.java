package dev.funnel.models;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.funnel.config.InferenceConfig;

/**
 * Maps {@code inference.device} to a DJL {@link Device}. The default build carries only the CPU
 * natives of libtorch, so {@code auto} means the CPU there; with the opt-in {@code gpu} Maven
 * profile (CUDA natives) and a visible device it means the first GPU.
 */
public final class InferenceDevices {
  private InferenceDevices() {}

  /**
   * @return the device to load the models on; null = DJL's default (auto)
   * @throws IllegalStateException when {@code gpu} is asked for and libtorch sees no GPU
   */
  public static Device resolve(InferenceConfig.Device wanted) {
    return switch (wanted) {
      case CPU -> Device.cpu();
      case AUTO -> null;
      case GPU -> {
        int gpus = Engine.getInstance().getGpuCount();
        if (gpus == 0) {
          throw new IllegalStateException(
              "inference.device = gpu, but libtorch ("
                  + Engine.getInstance().getVersion()
                  + ") sees no GPU: build with -Pgpu (CUDA natives) on a machine with a"
                  + " CUDA device, or set inference.device = cpu");
        }
        yield Device.gpu();
      }
    };
  }
}
