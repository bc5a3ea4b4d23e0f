package dev.funnel.events.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.config.EventsConfig;
import dev.funnel.events.UserEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The producer side without a broker, and the record format. */
class KafkaEventLogTest {

  @Test
  void append_noBrokerEver_failsWithoutBlockingTheEventLoop() throws Exception {
    int dead;
    try (ServerSocket s = new ServerSocket(0)) {
      dead = s.getLocalPort(); // closed again: nothing listens there
    }
    Vertx vertx =
        Vertx.vertx(
            new VertxOptions()
                .setBlockedThreadCheckInterval(50)
                .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
                .setMaxEventLoopExecuteTime(250)
                .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS));
    List<String> blocked = new CopyOnWriteArrayList<>();
    ((VertxInternal) vertx)
        .blockedThreadChecker()
        .setThreadBlockedHandler(
            e ->
                blocked.add(
                    e.thread().getName()
                        + " blocked "
                        + e.duration() / 1_000_000
                        + " ms at "
                        + List.of(e.thread().getStackTrace()).stream().limit(12).toList()));
    EventsConfig config =
        new EventsConfig(
            EventsConfig.Mode.KAFKA, List.of("127.0.0.1:" + dead), "t", "g", false, 500, 1, 100);
    KafkaEventLog log = KafkaEventLog.create(vertx, config);
    try {
      // A cold JVM's first batch loads the JSON and producer classes (hundreds of ms on a busy
      // machine): start-up cost, not a wait, so it runs once before the checker counts.
      assertTrue(failsOnALoop(vertx, log, "warm-up"));
      blocked.clear();

      assertTrue(failsOnALoop(vertx, log, "e1"), "no broker: the batch fails (503), never acked");
      assertEquals(List.of(), blocked.stream().limit(2).toList());
    } finally {
      log.close().await(10, TimeUnit.SECONDS);
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** Appends one event from an event loop, as POST /v1/events does; true when it failed. */
  private static boolean failsOnALoop(Vertx vertx, KafkaEventLog log, String id) throws Exception {
    Promise<Void> answered = Promise.promise();
    vertx.runOnContext(
        v ->
            log.append(List.of(UserEvent.impression(id, "u1", "v1", 1_700_000_000L)))
                .onComplete(answered));
    return answered
        .future()
        .transform(ar -> Future.succeededFuture(ar.failed()))
        .await(10, TimeUnit.SECONDS);
  }

  @Test
  void records_roundTripEveryEventType_andRejectForeignValues() {
    for (UserEvent e :
        List.of(
            UserEvent.watch("w", "u 1", "v9", 61.5, 1_700_000_000L),
            UserEvent.impression("i", "u1", "v2", 1_700_000_001L),
            UserEvent.search("s", "u1", "Piano cats", 1_700_000_002L))) {
      assertEquals(e, EventRecords.decode(EventRecords.encode(e)));
    }
    for (String bad :
        List.of(
            "not json", "[1]", "{\"id\":\"x\",\"type\":\"watch\",\"user\":\"u\",\"ts\":1}", "{}")) {
      try {
        EventRecords.decode(bad.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        throw new AssertionError("accepted " + bad);
      } catch (IllegalArgumentException expected) {
        // skipped and counted as undecodable by the consumer
      }
    }
  }
}
