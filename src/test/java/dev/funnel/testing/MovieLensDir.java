package dev.funnel.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real MovieLens ml-latest-small folder for the real-data tests, from the environment variable
 * {@value #ENV} (README: MovieLens). Unset: those tests skip. Set but not such a folder: they fail,
 * because CI sets it exactly when it has the data and a skip would hide a broken copy.
 */
public final class MovieLensDir {
  public static final String ENV = "FUNNEL_MOVIELENS_DIR";

  private MovieLensDir() {}

  public static Path require() {
    String dir = System.getenv(ENV);
    assumeTrue(
        dir != null && !dir.isBlank(),
        "skipped: set " + ENV + " to an ml-latest-small folder to run the real-data tests");
    Path path = Path.of(dir);
    assertTrue(
        Files.isRegularFile(path.resolve("ratings.csv"))
            && Files.isRegularFile(path.resolve("movies.csv")),
        ENV + "=" + dir + " is not an ml-latest-small folder (no ratings.csv and movies.csv)");
    return path;
  }
}
