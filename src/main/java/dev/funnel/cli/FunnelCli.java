package dev.funnel.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./funnel}: one subcommand per stage of the offline and online halves. */
@Command(
    name = "funnel",
    mixinStandardHelpOptions = true,
    version = "funnel 0.1.0",
    description = "Two-stage video recommendation: generate, train, evaluate, load, serve.",
    subcommands = {
      DemoCommand.class,
      GenerateCommand.class,
      ImportMovieLensCommand.class,
      TrainCommand.class,
      BuildIndexCommand.class,
      EvaluateCommand.class,
      WatchNextCommand.class,
      HttpReplayCommand.class,
      ReportCommand.class,
      LoadCommand.class,
      ServeCommand.class,
      BenchCommand.class,
      DrillLoadCommand.class,
      CheckEventsCommand.class,
      StoreReadsCommand.class,
      JvmOptionsCommand.class,
      RolloutCommand.class,
      EventsLoadCommand.class,
      EventsReplayCommand.class,
      CommandLine.HelpCommand.class
    })
public final class FunnelCli implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** An unexpected failure is one line for the user; the stack trace only on request. */
  private static int reportFailure(
      Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
    System.err.println("funnel " + commandLine.getCommandName() + ": " + e);
    if (System.getenv("FUNNEL_DEBUG") != null) {
      e.printStackTrace();
    } else {
      System.err.println("(set FUNNEL_DEBUG=1 to see the stack trace)");
    }
    return 1;
  }

  /** The command line with every subcommand's --help showing its options' defaults. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new FunnelCli());
    cli.getSubcommands()
        .values()
        .forEach(c -> c.getCommandSpec().usageMessage().showDefaultValues(true));
    return cli;
  }

  public static void main(String[] args) {
    int code = commandLine().setExecutionExceptionHandler(FunnelCli::reportFailure).execute(args);
    if (code != 0 || !ServeCommand.keepsRunning(args)) {
      System.exit(code);
    }
  }
}
