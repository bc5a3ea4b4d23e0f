package dev.funnel.events.kafka;

import dev.funnel.config.EventsConfig;
import dev.funnel.events.EventLog;
import dev.funnel.events.UserEvent;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The events topic as an {@link EventLog}: an idempotent producer with {@code acks=all}, each event
 * one record keyed by its user. A batch succeeds when the broker acknowledged every record of it,
 * within {@code events.kafka.timeout-ms} (the producer's delivery timeout; a Vert.x timeout a
 * little above it guarantees the answer). Sends never block ({@code max.block.ms = 0}): without the
 * topic's metadata, fetched at start by {@link #warmUp}, a batch fails at once. Thread-safe.
 */
public final class KafkaEventLog implements EventLog {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaEventLog.class);

  /**
   * How long the start waits for the broker to create the topic (a freshly started broker on a busy
   * machine took more than 5 s); a broker that is down costs the start this much once.
   */
  static final int ENSURE_TOPIC_MS = 15_000;

  /** Margin of the outer timeout over the producer's own delivery timeout. */
  static final long OUTER_MARGIN_MS = 500;

  private final Vertx vertx;
  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;
  private final long timeoutMs;

  private KafkaEventLog(Vertx vertx, KafkaProducer<byte[], byte[]> producer, EventsConfig config) {
    this.vertx = vertx;
    this.producer = producer;
    this.topic = config.topic();
    this.timeoutMs = config.timeoutMs();
  }

  /** A producer for the configured topic; connects lazily (a dead broker fails sends, not this). */
  public static KafkaEventLog create(Vertx vertx, EventsConfig config) {
    return new KafkaEventLog(vertx, new KafkaProducer<>(producerProperties(config)), config);
  }

  static Properties producerProperties(EventsConfig config) {
    int timeout = config.timeoutMs();
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "funnel-events-producer");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    // delivery.timeout.ms must be at least linger.ms + request.timeout.ms
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(1, timeout - 1));
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeout);
    // send() never waits: without metadata (or with a full buffer) it fails at once, so it runs
    // on the event loop. Blocking sends on a worker pool queued up behind a broker that was slow to
    // start and turned a few seconds of 503s into minutes of timeouts (scripts/drill kafka).
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 0);
    p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }

  /**
   * Creates the topic with {@code events.kafka.partitions} partitions when it does not exist (the
   * broker's default replication factor); an existing topic is left as it is. Blocking: call it off
   * the event loop. Returns false, after logging why, when the broker could not be asked.
   */
  public static boolean ensureTopic(EventsConfig config) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ENSURE_TOPIC_MS);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ENSURE_TOPIC_MS);
    try (Admin admin = Admin.create(p)) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(
                      config.topic(),
                      java.util.Optional.of(config.partitions()),
                      java.util.Optional.empty())))
          .all()
          .get(ENSURE_TOPIC_MS + 1000L, TimeUnit.MILLISECONDS);
      LOG.info("created Kafka topic {} with {} partitions", config.topic(), config.partitions());
      return true;
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof TopicExistsException) {
        return true;
      }
      LOG.warn("cannot create Kafka topic {}: {}", config.topic(), e.getCause().toString());
      return false;
    } catch (java.util.concurrent.TimeoutException e) {
      LOG.warn(
          "cannot create Kafka topic {}: no answer from {}",
          config.topic(),
          config.bootstrapServers());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public Future<Void> append(List<UserEvent> events) {
    if (events.isEmpty()) {
      return Future.succeededFuture();
    }
    Context context = vertx.getOrCreateContext();
    Promise<Void> acked = Promise.promise();
    AtomicInteger left = new AtomicInteger(events.size());
    try {
      for (UserEvent e : events) {
        producer.send(
            new ProducerRecord<>(topic, EventRecords.key(e), EventRecords.encode(e)),
            (metadata, error) -> {
              if (error != null) {
                context.runOnContext(v -> acked.tryFail(error));
              } else if (left.decrementAndGet() == 0) {
                context.runOnContext(v -> acked.tryComplete());
              }
            });
      }
    } catch (RuntimeException e) {
      // a closed producer, or an error the client throws instead of reporting in the callback
      acked.tryFail(e);
    }
    return acked.future().timeout(timeoutMs + OUTER_MARGIN_MS, TimeUnit.MILLISECONDS);
  }

  /**
   * Fetches the topic's metadata, so that the first sends do not fail for the want of it (sends
   * never wait for it). Blocking, up to {@code maxMs}: call it off the event loop. False when the
   * broker did not tell within that time.
   */
  public boolean warmUp(long maxMs) {
    long until = System.nanoTime() + maxMs * 1_000_000;
    while (true) {
      try {
        if (!producer.partitionsFor(topic).isEmpty()) {
          return true;
        }
      } catch (org.apache.kafka.common.KafkaException e) {
        // not known yet: partitionsFor asked for it
      }
      if (System.nanoTime() > until) {
        LOG.warn("no metadata for Kafka topic {} yet: events get 503 until it comes", topic);
        return false;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  @Override
  public Future<Void> close() {
    return vertx.executeBlocking(
        () -> {
          producer.close(java.time.Duration.ofMillis(timeoutMs));
          return null;
        },
        false);
  }
}
