package dev.funnel.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "evaluate", mixinStandardHelpOptions = true, description = "(being built)")
public final class EvaluateCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UnsupportedOperationException("evaluate: being built");
  }
}
