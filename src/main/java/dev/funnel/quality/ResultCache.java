package dev.funnel.quality;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The report's measurements as JSON files under its work folder, each keyed by the code version and
 * the measurement's own options: a change to either computes it afresh instead of reading a stale
 * number (the old file stays, under its old key, until {@code --fresh} clears the folder).
 */
final class ResultCache {
  private final Path dir;
  private final String codeVersion;

  ResultCache(Path dir, String codeVersion) {
    this.dir = dir;
    this.codeVersion = codeVersion;
  }

  interface Measure {
    JsonObject run() throws IOException;
  }

  /** The file a measurement named {@code name} with options {@code key} is cached in. */
  Path file(String name, JsonObject key) {
    return dir.resolve(name + "-" + CodeVersion.hash(fullKey(name, key).encode()) + ".json");
  }

  private JsonObject fullKey(String name, JsonObject key) {
    return key.copy().put("code_version", codeVersion).put("name", name);
  }

  /** The cached result of {@code m} for {@code name} and {@code key}, computing it if absent. */
  JsonObject get(String name, JsonObject key, Measure m) throws IOException {
    Path cache = file(name, key);
    if (Files.exists(cache)) {
      return QualityReport.read(cache).getJsonObject("result");
    }
    JsonObject j = m.run();
    QualityReport.write(cache, new JsonObject().put("key", fullKey(name, key)).put("result", j));
    return j;
  }
}
