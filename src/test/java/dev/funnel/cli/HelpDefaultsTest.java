package dev.funnel.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.train.TrainOptions;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command's --help shows its defaults, and train's are the trainer's real ones. */
class HelpDefaultsTest {
  private static String help(String command) {
    return FunnelCli.commandLine().getSubcommands().get(command).getUsageMessage();
  }

  @Test
  void commandLine_everySubcommand_showsDefaultValues() {
    for (CommandLine c : FunnelCli.commandLine().getSubcommands().values()) {
      assertTrue(
          c.getCommandSpec().usageMessage().showDefaultValues(), c.getCommandName() + " --help");
    }
  }

  @Test
  void bench_help_showsRateDurationAndUrl() {
    String text = help("bench");
    for (String d : List.of("Default: 200", "Default: 60", "Default: http://127.0.0.1:8080")) {
      assertTrue(text.contains(d), text);
    }
  }

  @Test
  void train_help_statesTheTrainersOwnDefaults() {
    String text = help("train").replaceAll("\\s+", " ");
    TrainOptions d = TrainOptions.defaults();
    for (Object value :
        List.of(
            d.epochs(),
            d.rankerEpochs(),
            d.negatives(),
            d.batchSize(),
            d.rankerBatchSize(),
            d.cutoffQuantile(),
            d.maxRankerExamples(),
            d.seed())) {
      assertTrue(text.contains("(default " + value), "no default " + value + " in: " + text);
    }
    assertTrue(text.contains("Default: " + d.order().label()), text);
  }
}
