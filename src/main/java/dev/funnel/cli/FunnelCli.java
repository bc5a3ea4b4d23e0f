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
      EvaluateCommand.class,
      ReportCommand.class,
      LoadCommand.class,
      ServeCommand.class,
      CommandLine.HelpCommand.class
    })
public final class FunnelCli implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    int code = new CommandLine(new FunnelCli()).execute(args);
    if (code != 0 || !ServeCommand.keepsRunning(args)) {
      System.exit(code);
    }
  }
}
