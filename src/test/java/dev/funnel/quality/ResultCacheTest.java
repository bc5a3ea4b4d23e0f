package dev.funnel.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultCacheTest {
  @TempDir Path tmp;

  private static ResultCache.Measure counting(AtomicInteger runs) {
    return () -> new JsonObject().put("run", runs.incrementAndGet());
  }

  @Test
  void get_sameCodeAndOptions_computesOnce() throws IOException {
    AtomicInteger runs = new AtomicInteger();
    JsonObject key = new JsonObject().put("epochs", 6);
    ResultCache cache = new ResultCache(tmp, "code-a");
    assertEquals(1, cache.get("m/x", key, counting(runs)).getInteger("run"));
    assertEquals(
        1, new ResultCache(tmp, "code-a").get("m/x", key, counting(runs)).getInteger("run"));
    assertEquals(1, runs.get());
  }

  @Test
  void get_otherCodeVersion_recomputes() throws IOException {
    AtomicInteger runs = new AtomicInteger();
    JsonObject key = new JsonObject().put("epochs", 6);
    new ResultCache(tmp, "code-a").get("m/x", key, counting(runs));
    assertEquals(
        2, new ResultCache(tmp, "code-b").get("m/x", key, counting(runs)).getInteger("run"));
  }

  @Test
  void get_otherOptions_recomputes() throws IOException {
    AtomicInteger runs = new AtomicInteger();
    ResultCache cache = new ResultCache(tmp, "code-a");
    cache.get("m/x", new JsonObject().put("epochs", 6), counting(runs));
    assertEquals(
        2, cache.get("m/x", new JsonObject().put("epochs", 10), counting(runs)).getInteger("run"));
  }

  @Test
  void file_recordsTheKeyItWasComputedFor() throws IOException {
    ResultCache cache = new ResultCache(tmp, "code-a");
    JsonObject key = new JsonObject().put("epochs", 6);
    cache.get("m/x", key, counting(new AtomicInteger()));
    JsonObject stored = new JsonObject(Files.readString(cache.file("m/x", key)));
    assertEquals("code-a", stored.getJsonObject("key").getString("code_version"));
    assertNotEquals(cache.file("m/x", key), new ResultCache(tmp, "code-b").file("m/x", key));
  }

  @Test
  void codeVersion_classChange_changesTheHash_renderingChangeDoesNot() throws IOException {
    Path classes = tmp.resolve("classes");
    Path model = classes.resolve("dev/funnel/train/Model.class");
    Path renderer = classes.resolve("dev/funnel/quality/ReportRenderer.class");
    Files.createDirectories(model.getParent());
    Files.createDirectories(renderer.getParent());
    Files.write(model, new byte[] {1, 2, 3});
    Files.write(renderer, new byte[] {4});
    String before = CodeVersion.of(classes);
    Files.write(renderer, new byte[] {5});
    assertEquals(before, CodeVersion.of(classes), "rendering does not change a result");
    Files.write(model, new byte[] {1, 2, 4});
    assertNotEquals(before, CodeVersion.of(classes));
  }
}
