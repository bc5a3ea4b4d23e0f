package dev.funnel.cli;

import dev.funnel.data.generate.GeneratorOptions;
import dev.funnel.data.generate.WorldGenerator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code funnel generate}: writes a synthetic YouTube-like dataset directory. */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description =
        "Generate a synthetic YouTube-like dataset (videos, users, watches, searches,"
            + " impressions); format in docs/data-format.md.")
public final class GenerateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--out", required = true, description = "Output dataset directory.")
  Path out;

  @Option(
      names = "--preset",
      defaultValue = "rw-small",
      description =
          "Base sizes: rw-small (20k videos, 5k users), rw-1m (1M, 100k) or tiny (2k, 500)."
              + " Default: ${DEFAULT-VALUE}.")
  String preset;

  @Option(names = "--videos", description = "Number of videos (overrides the preset).")
  Integer videos;

  @Option(names = "--users", description = "Number of users (overrides the preset).")
  Integer users;

  @Option(names = "--days", description = "Days of logged activity (preset: 60, tiny: 30).")
  Integer days;

  @Option(
      names = "--seed",
      description = "Random seed; same seed gives identical files (default 42).")
  Long seed;

  @Override
  public Integer call() throws Exception {
    GeneratorOptions options;
    try {
      options = GeneratorOptions.preset(preset);
      if (videos != null) {
        options = options.withVideos(videos);
      }
      if (users != null) {
        options = options.withUsers(users);
      }
      if (days != null) {
        options = options.withDays(days);
      }
      if (seed != null) {
        options = options.withSeed(seed);
      }
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    long started = System.nanoTime();
    WorldGenerator.Summary s;
    try {
      s = WorldGenerator.generate(options, out);
    } catch (IOException e) {
      spec.commandLine().getErr().println("generate: cannot write " + out + ": " + e);
      return 1;
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    spec.commandLine()
        .getOut()
        .println(
            String.format(
                Locale.ROOT,
                "generated %s: %d videos, %d users, %d watches, %d searches, %d impressions"
                    + " (%d clicked) in %.1f s",
                out,
                s.videos(),
                s.users(),
                s.watches(),
                s.searches(),
                s.impressions(),
                s.clicks(),
                seconds));
    return 0;
  }
}
