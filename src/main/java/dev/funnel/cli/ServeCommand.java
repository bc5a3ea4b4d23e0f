package dev.funnel.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "serve", mixinStandardHelpOptions = true, description = "(being built)")
public final class ServeCommand implements Callable<Integer> {
  /** serve and demo return from call() while the server keeps running on Vert.x threads. */
  static boolean keepsRunning(String[] args) {
    return args.length > 0 && (args[0].equals("serve") || args[0].equals("demo"));
  }

  @Override
  public Integer call() {
    throw new UnsupportedOperationException("serve: being built");
  }
}
