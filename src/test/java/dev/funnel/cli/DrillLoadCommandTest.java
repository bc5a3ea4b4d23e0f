package dev.funnel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.testing.CapturedStderr;
import dev.funnel.testing.FunnelServerExtension;
import dev.funnel.testing.FunnelServerExtension.RunningServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The drills' tools over loopback against the real test server and its real redis-server: the mixed
 * load, the read-back of accepted events, and reads with more in flight than pooled.
 */
@ExtendWith(FunnelServerExtension.class)
class DrillLoadCommandTest {
  private final RunningServer s;
  // Users of their own, so the events land on nobody another test class reads.
  private final String users = "drilltest-" + UUID.randomUUID() + "-";

  DrillLoadCommandTest(RunningServer s) {
    this.s = s;
  }

  @Test
  void drillLoad_mixAgainstRealServer_countsEveryAnswerAndEveryAcceptedIdIsStored(@TempDir Path tmp)
      throws Exception {
    int rc;
    try (CapturedStderr err = new CapturedStderr()) {
      rc =
          new CommandLine(new FunnelCli())
              .execute(
                  "drill-load",
                  "--url",
                  s.url(""),
                  "--rate",
                  "40",
                  "--duration",
                  "2",
                  "--warmup",
                  "1",
                  "--event-share",
                  "0.5",
                  "--users",
                  "20",
                  "--user-prefix",
                  users,
                  "--out",
                  tmp.toString());
    }
    JsonObject summary = new JsonObject(Files.readString(tmp.resolve("summary.json")));
    assertEquals(0, rc, summary.encode());
    JsonObject totals = summary.getJsonObject("totals");
    JsonObject warm = summary.getJsonObject("warmup_totals");
    assertEquals(120, summary.getLong("sent"), summary.encode());
    // A healthy server: every event 202, every recommendation 200, nothing else; the warm-up's
    // 40 answers counted apart from the measured 80.
    long sent = 80;
    long recs = totals.getLong("rec_ok") + totals.getLong("rec_degraded");
    assertEquals(sent, recs + totals.getLong("event_202"), summary.encode());
    long warmAnswers =
        warm.getLong("rec_ok") + warm.getLong("rec_degraded") + warm.getLong("event_202");
    assertEquals(40, warmAnswers, summary.encode());
    long accepted202 = totals.getLong("event_202") + warm.getLong("event_202");
    assertEquals(summary.getLong("sent_events"), accepted202, summary.encode());
    assertTrue(summary.getLong("sent_events") > 10, summary.encode());
    assertTrue(summary.getJsonObject("rec_latency_ms").getDouble("max") > 0, summary.encode());
    // The timeline holds every measured answer under its second.
    long inTimeline = 0;
    for (Object row : summary.getJsonArray("timeline")) {
      JsonArray r = (JsonArray) row;
      for (int i = 1; i < r.size(); i++) {
        inTimeline += r.getLong(i);
      }
    }
    assertEquals(sent, inTimeline);

    List<CheckEventsCommand.Accepted> accepted =
        CheckEventsCommand.read(tmp.resolve("accepted.tsv"));
    assertEquals(accepted202, accepted.size());
    JsonObject check = CheckEventsCommand.check(s.store, accepted);
    assertEquals(accepted.size(), check.getLong("present"), check.encode());
    assertEquals(0, check.getLong("missing"), check.encode());
  }

  @Test
  void checkEvents_idNeverSent_isReportedMissing() throws Exception {
    String id = "never-" + UUID.randomUUID();
    JsonObject check =
        CheckEventsCommand.check(
            s.store, List.of(new CheckEventsCommand.Accepted(id, users + "0", "drill-" + id)));
    assertEquals(1, check.getLong("missing"), check.encode());
    assertEquals(List.of(id), check.getJsonArray("missing_sample").getList());
  }

  @Test
  void storeReads_moreInFlightThanPooled_answersEveryRead() throws Exception {
    int known = s.world.profiles.size();
    JsonObject r = StoreReadsCommand.run(s.store, 3000, 256, known, 120);
    assertTrue(r.getBoolean("finished"), r.encode());
    assertEquals(0, r.getLong("errors"), r.encode());
    assertEquals(3000, r.getLong("found") + r.getLong("absent"), r.encode());
    assertTrue(r.getLong("found") > 0, r.encode());
  }
}
