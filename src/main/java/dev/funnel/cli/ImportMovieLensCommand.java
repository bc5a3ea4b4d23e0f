package dev.funnel.cli;

import dev.funnel.data.DatasetFormatException;
import dev.funnel.data.movielens.MovieLensImporter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code funnel import-movielens}: a MovieLens directory → a dataset directory. */
@Command(
    name = "import-movielens",
    mixinStandardHelpOptions = true,
    description =
        "Import MovieLens (ml-latest-small / ml-25m ratings.csv, or ml-100k u.data) as a dataset;"
            + " mapping in docs/data-format.md.")
public final class ImportMovieLensCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--in", required = true, description = "MovieLens directory.")
  Path in;

  @Option(names = "--out", required = true, description = "Output dataset directory.")
  Path out;

  @Override
  public Integer call() throws Exception {
    long started = System.nanoTime();
    MovieLensImporter.Summary s;
    try {
      s = MovieLensImporter.importDir(in, out);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    } catch (IOException e) {
      spec.commandLine().getErr().println("import-movielens: " + e);
      return 1;
    } catch (DatasetFormatException e) {
      spec.commandLine().getErr().println("import-movielens: " + e.getMessage());
      return 1;
    }
    spec.commandLine()
        .getOut()
        .println(
            String.format(
                Locale.ROOT,
                "imported %s (%s) into %s: %d videos, %d users, %d watches, %d searches in %.1f s",
                in,
                s.layout(),
                out,
                s.videos(),
                s.users(),
                s.watches(),
                s.searches(),
                (System.nanoTime() - started) / 1e9));
    return 0;
  }
}
