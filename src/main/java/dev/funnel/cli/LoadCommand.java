package dev.funnel.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "load", mixinStandardHelpOptions = true, description = "(being built)")
public final class LoadCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UnsupportedOperationException("load: being built");
  }
}
