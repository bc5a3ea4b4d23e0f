package dev.funnel.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "train", mixinStandardHelpOptions = true, description = "(being built)")
public final class TrainCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UnsupportedOperationException("train: being built");
  }
}
