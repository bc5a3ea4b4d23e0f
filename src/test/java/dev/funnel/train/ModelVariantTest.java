package dev.funnel.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.data.Dataset;
import dev.funnel.models.ModelBundle;
import dev.funnel.testing.TinyWorld;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelVariantTest {
  @TempDir Path tmp;

  @Test
  void train_linearTowerLogisticRankerNoExampleAge_bundleLoadsWithItsShapes() throws IOException {
    Dataset data = Dataset.read(TinyWorld.write(tmp.resolve("w"), TinyWorld.Spec.tiny()));
    ModelVariant variant =
        ModelVariant.standard()
            .withTower(0, 0)
            .withRanker(0, 0, 0)
            .withExampleAge(false)
            .withHistoryLength(10)
            .withWeightedRanker(false);
    Path version =
        ModelTrainer.train(
            data, tmp.resolve("models"), TrainOptions.fast().withEpochs(1), variant, 0L);
    try (ModelBundle bundle = ModelBundle.load(version)) {
      assertEquals(0, bundle.shapes().towerHidden1());
      assertEquals(0, bundle.shapes().rankerHidden3());
      JsonObject recorded = bundle.manifest().getJsonObject("training").getJsonObject("variant");
      assertFalse(recorded.getBoolean("example_age"));
      assertEquals("click_lr", recorded.getString("ranker_loss"));
      assertEquals(10, recorded.getInteger("history_length"));
      assertTrue(bundle.manifest().getJsonObject("metrics").containsKey("candidate"));
    }
  }

  @Test
  void train_hardRankerNegativesWithoutImpressions_trainsAndRecordsIt() throws IOException {
    Dataset full = Dataset.read(TinyWorld.write(tmp.resolve("w"), TinyWorld.Spec.tiny()));
    Dataset data =
        full.withEvents(
            full.watches(),
            full.searches(),
            new Dataset.Impressions(
                new int[0], new int[0], new long[0], new boolean[0], new float[0]));
    Path version =
        ModelTrainer.train(
            data,
            tmp.resolve("models"),
            TrainOptions.fast().withEpochs(1),
            ModelVariant.standard().withHardRankerNegatives(true),
            0L);
    try (ModelBundle bundle = ModelBundle.load(version)) {
      JsonObject training = bundle.manifest().getJsonObject("training");
      assertEquals(
          "retrieval_top_300", training.getJsonObject("variant").getString("ranker_negatives"));
      assertTrue(training.getJsonObject("ranker").getString("source").startsWith("watches"));
    }
  }

  @Test
  void standard_isTodaysModel() {
    ModelVariant s = ModelVariant.standard();
    assertTrue(s.exampleAge() && s.weightedRanker());
    assertEquals(50, s.historyLength());
    assertThrows(IllegalArgumentException.class, () -> s.withHistoryLength(0));
  }

  @Test
  void progress_nonTerminal_printsQuartersAndAFinalLineWithEta() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    Progress p = new Progress("epoch 1/1", 100, out, false);
    for (int i = 0; i <= 100; i += 10) {
      p.update(i);
    }
    p.finish("loss 0.1");
    String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals(4, lines.length, String.join("\n", lines)); // 25%, 50%, 75%, final
    assertTrue(lines[3].contains("100% 100/100") && lines[3].contains("ETA 0:00"), lines[3]);
    assertTrue(lines[0].contains("ex/s"), lines[0]);
    assertEquals("1:01:01", Progress.clock(3661));
  }
}
