package dev.funnel.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "import-movielens", mixinStandardHelpOptions = true, description = "(being built)")
public final class ImportMovieLensCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UnsupportedOperationException("import-movielens: being built");
  }
}
