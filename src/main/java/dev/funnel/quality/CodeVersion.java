package dev.funnel.quality;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * What the report's cache is keyed by: a hash of the project's compiled classes (not of the jar,
 * whose timestamps change on every build), leaving out the classes that only render the report, so
 * that editing the written findings re-renders without recomputing hours of results. Also the git
 * commit, which the generated document prints.
 */
public final class CodeVersion {
  private static final String PACKAGE = "dev/funnel/";

  private CodeVersion() {}

  /** Classes whose change does not change a result: rendering and the command line. */
  static boolean rendersOnly(String classFile) {
    return classFile.startsWith(PACKAGE + "cli/")
        || classFile.startsWith(PACKAGE + "quality/ReportRenderer")
        || classFile.startsWith(PACKAGE + "quality/Findings")
        || classFile.startsWith(PACKAGE + "quality/Claim")
        || classFile.startsWith(PACKAGE + "quality/MovieLensSection")
        || classFile.startsWith(PACKAGE + "quality/Finding");
  }

  /** Hash of the running code: the jar or classes folder this class was loaded from. */
  public static String current() {
    try {
      Path source =
          Path.of(CodeVersion.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return of(source);
    } catch (IOException | java.net.URISyntaxException | SecurityException e) {
      throw new IllegalStateException("cannot read the running code to version it", e);
    }
  }

  /** Hash (16 hex digits) of the project's class files under a jar or a classes folder. */
  public static String of(Path source) throws IOException {
    MessageDigest md = sha256();
    if (Files.isDirectory(source)) {
      List<Path> files = new ArrayList<>();
      try (Stream<Path> all = Files.walk(source)) {
        all.filter(p -> p.toString().endsWith(".class")).forEach(files::add);
      }
      files.sort(null);
      for (Path p : files) {
        String name = source.relativize(p).toString().replace('\\', '/');
        if (name.startsWith(PACKAGE) && !rendersOnly(name)) {
          md.update(name.getBytes(StandardCharsets.UTF_8));
          md.update(Files.readAllBytes(p));
        }
      }
    } else {
      try (JarFile jar = new JarFile(source.toFile())) {
        List<JarEntry> entries = new ArrayList<>();
        jar.stream()
            .filter(e -> e.getName().startsWith(PACKAGE) && e.getName().endsWith(".class"))
            .filter(e -> !rendersOnly(e.getName()))
            .forEach(entries::add);
        entries.sort((a, b) -> a.getName().compareTo(b.getName()));
        for (JarEntry e : entries) {
          md.update(e.getName().getBytes(StandardCharsets.UTF_8));
          try (InputStream in = jar.getInputStream(e)) {
            md.update(in.readAllBytes());
          }
        }
      }
    }
    return HexFormat.of().formatHex(md.digest()).substring(0, 16);
  }

  /** Hash (16 hex digits) of any text, e.g. the code version and a run's options. */
  public static String hash(String text) {
    return HexFormat.of()
        .formatHex(sha256().digest(text.getBytes(StandardCharsets.UTF_8)))
        .substring(0, 16);
  }

  /**
   * The git commit of the working folder ({@code git rev-parse --short HEAD}), with "+changes" when
   * tracked files differ from it; "unknown" without git.
   */
  public static String gitCommit() {
    String head = git("rev-parse", "--short=10", "HEAD");
    if (head == null || head.isBlank()) {
      return "unknown";
    }
    String dirty = git("status", "--porcelain", "--untracked-files=no");
    return head.strip() + (dirty != null && !dirty.isBlank() ? "+changes" : "");
  }

  private static String git(String... args) {
    List<String> cmd = new ArrayList<>(List.of("git"));
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroy();
        return null;
      }
      return out;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
