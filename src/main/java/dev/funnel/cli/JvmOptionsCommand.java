package dev.funnel.cli;

import dev.funnel.config.FunnelConfig;
import dev.funnel.models.ModelBundle;
import dev.funnel.retrieval.GraphIndex;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code funnel jvm-options [serve options]}: what {@link JvmPolicy} picks for the model that
 * {@code serve} with these options would load, for the launcher. Prints {@code JAVA=…} and {@code
 * OPTS=…} on stdout and the reasons on stderr; reads the model's manifest only (milliseconds).
 */
@Command(
    name = "jvm-options",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description =
        "For the launcher: the JVM and options ./funnel serve picks for the model it would load.")
public final class JvmOptionsCommand implements Callable<Integer> {
  @Option(names = "--java", paramLabel = "PATH", description = "the java the launcher would run")
  String java = "java";

  @Option(names = "--explicit-java", description = "FUNNEL_JAVA was given: keep that java")
  boolean explicitJava;

  @Option(names = "--explicit-opts", description = "FUNNEL_JAVA_OPTS was given: keep them")
  boolean explicitOpts;

  @Option(names = "--jvm-dir", paramLabel = "DIR", description = "where JDKs are installed")
  Path jvmDir = Path.of("/usr/lib/jvm");

  @Parameters(paramLabel = "SERVE-OPTION", description = "the options given to serve")
  List<String> serveArgs = new ArrayList<>();

  @Override
  public Integer call() {
    ServeCommand serve = new ServeCommand();
    new CommandLine(serve)
        .setUnmatchedArgumentsAllowed(true)
        .parseArgs(serveArgs.toArray(String[]::new));
    JvmPolicy.Choice choice;
    try {
      Map<String, String> flags = new HashMap<>();
      flags.put("models.dir", serve.models == null ? null : serve.models.toString());
      FunnelConfig config =
          FunnelConfig.load(FunnelConfig.locateFile(serve.conf), System.getenv(), flags);
      Path version = ModelBundle.resolve(config.modelsDir());
      long videos =
          new JsonObject(Files.readString(version.resolve("model.json"), StandardCharsets.UTF_8))
              .getJsonObject("vocabulary")
              .getLong("videos");
      boolean pq = Files.isRegularFile(version.resolve(GraphIndex.DIR).resolve(GraphIndex.PQ_FILE));
      choice =
          JvmPolicy.choose(
              new JvmPolicy.Facts(
                  videos,
                  pq,
                  new JvmPolicy.Jdk(java, Runtime.version().feature()),
                  installed(jvmDir),
                  explicitJava,
                  explicitOpts));
    } catch (IOException | RuntimeException e) {
      // No model to read: serve itself says what is wrong; the launcher keeps its defaults.
      System.err.println(
          "funnel: JVM defaults (cannot read the model to choose: " + e.getMessage() + ")");
      return 1;
    }
    for (String reason : choice.reasons()) {
      System.err.println("funnel: " + reason);
    }
    System.out.println("JAVA=" + choice.java());
    System.out.println("OPTS=" + choice.opts());
    return 0;
  }

  private static final Pattern RELEASE = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)");

  /** JDKs with a release file under {@code dir}, e.g. /usr/lib/jvm/temurin-25-jdk-amd64. */
  static List<JvmPolicy.Jdk> installed(Path dir) {
    List<JvmPolicy.Jdk> jdks = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return jdks;
    }
    try (DirectoryStream<Path> homes = Files.newDirectoryStream(dir)) {
      for (Path home : homes) {
        Path release = home.resolve("release");
        Path bin = home.resolve("bin").resolve("java");
        if (Files.isRegularFile(release) && Files.isExecutable(bin)) {
          Matcher m = RELEASE.matcher(Files.readString(release, StandardCharsets.ISO_8859_1));
          if (m.find()) {
            jdks.add(new JvmPolicy.Jdk(bin.toString(), Integer.parseInt(m.group(1))));
          }
        }
      }
    } catch (IOException e) {
      // an unreadable JDK directory: choose among the others
    }
    return jdks;
  }
}
