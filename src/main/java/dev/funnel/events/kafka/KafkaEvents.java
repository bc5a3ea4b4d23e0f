package dev.funnel.events.kafka;

import dev.funnel.config.EventsConfig;
import dev.funnel.events.EventLog;
import dev.funnel.events.EventsResult;
import dev.funnel.events.UserEvent;
import dev.funnel.metrics.FunnelMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.function.Function;

/**
 * A server's part in {@code events.mode = kafka}: the producer that {@code POST /v1/events} appends
 * to and, with {@code events.kafka.consume}, a member of the group that applies the topic to the
 * store. Its metrics: {@code funnel_events_consumer_lag}, {@code funnel_events_consumed_total} and
 * {@code funnel_events_apply_failures_total}.
 */
public final class KafkaEvents {
  /** How long the start waits for the topic's metadata (the producer never waits for it). */
  static final long WARM_UP_MS = 10_000;

  private final Vertx vertx;
  private final KafkaEventLog log;
  private final KafkaEventConsumer consumer;

  private KafkaEvents(Vertx vertx, KafkaEventLog log, KafkaEventConsumer consumer) {
    this.vertx = vertx;
    this.log = log;
    this.consumer = consumer;
  }

  /**
   * Creates the topic when it is missing, then the producer and (with {@code consume}) the
   * consumer. A broker that does not answer does not stop the start: events get 503 until it does,
   * and the consumer joins when it can (as a server with a dead Redis still starts).
   *
   * @param apply the store's idempotent {@code applyEvents}
   */
  public static Future<KafkaEvents> start(
      Vertx vertx,
      EventsConfig config,
      Function<List<UserEvent>, Future<EventsResult>> apply,
      FunnelMetrics metrics) {
    return vertx.executeBlocking(
        () -> {
          KafkaEventLog.ensureTopic(config);
          KafkaEventLog log = KafkaEventLog.create(vertx, config);
          log.warmUp(WARM_UP_MS);
          KafkaEventConsumer consumer = null;
          if (config.consume()) {
            // the store is called from the consumer's thread through one Vert.x context, as an
            // HTTP handler would call it
            io.vertx.core.Context context = vertx.getOrCreateContext();
            Function<List<UserEvent>, Future<EventsResult>> onContext =
                events -> {
                  io.vertx.core.Promise<EventsResult> done = io.vertx.core.Promise.promise();
                  context.runOnContext(v -> apply.apply(events).onComplete(done));
                  return done.future();
                };
            consumer =
                KafkaEventConsumer.start(
                    config,
                    onContext,
                    new KafkaEventConsumer.Listener() {
                      @Override
                      public void consumed(String result, int records) {
                        metrics.eventsConsumed(result, records);
                      }

                      @Override
                      public void applyFailed() {
                        metrics.eventsApplyFailed();
                      }
                    });
            metrics.gauge(
                "funnel_events_consumer_lag",
                "records in this member's partitions of the events topic not applied yet",
                consumer,
                KafkaEventConsumer::lag);
          }
          return new KafkaEvents(vertx, log, consumer);
        },
        false);
  }

  public EventLog log() {
    return log;
  }

  /** This process's member of the applying group, or null when it does not consume. */
  public KafkaEventConsumer consumer() {
    return consumer;
  }

  /** Stops consuming (leaving the group), then flushes and closes the producer. Never fails. */
  public Future<Void> close() {
    Future<Void> stopped =
        consumer == null
            ? Future.succeededFuture()
            : vertx.executeBlocking(
                () -> {
                  consumer.close();
                  return null;
                },
                false);
    return stopped
        .recover(e -> Future.succeededFuture())
        .compose(v -> log.close())
        .recover(e -> Future.succeededFuture());
  }
}
