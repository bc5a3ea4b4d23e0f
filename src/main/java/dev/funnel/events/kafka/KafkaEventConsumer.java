package dev.funnel.events.kafka;

import dev.funnel.config.EventsConfig;
import dev.funnel.events.EventsResult;
import dev.funnel.events.UserEvent;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A member of the consumer group that applies the events topic to the feature store, on a thread of
 * its own (KafkaConsumer is single-threaded).
 *
 * <p>Each poll's records go to the store's idempotent apply as one batch (the same path as a direct
 * {@code POST /v1/events}: an event id applied before is a duplicate), and the offsets are
 * committed only after the store acknowledged it. When the store refuses (Redis down, breaker open,
 * timeout) nothing is committed: the partitions are paused (polling goes on, so the member stays in
 * the group) and the same records are tried again after a back-off that doubles up to {@code
 * events.kafka.retry-max-ms}. A record is therefore applied at least once, and the event-id markers
 * make it count once. Records whose value is not an event are logged, counted and skipped, so one
 * bad record cannot stop the group.
 */
public final class KafkaEventConsumer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaEventConsumer.class);

  static final long FIRST_BACKOFF_MS = 50;
  static final long POLL_MS = 200;
  static final long LAG_REFRESH_MS = 1000;
  // The store's own timeout (2 s for event batches) answers first; this only bounds a store that
  // would never complete its future.
  static final long APPLY_LIMIT_MS = 30_000;

  /** What the consumer counts; {@code null}-safe no-op when not wanted. */
  public interface Listener {
    /** Records handled: result = applied, duplicate or undecodable. */
    void consumed(String result, int records);

    /** The store refused a batch: nothing committed, it will be tried again. */
    void applyFailed();

    Listener NONE =
        new Listener() {
          @Override
          public void consumed(String result, int records) {}

          @Override
          public void applyFailed() {}
        };
  }

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Function<List<UserEvent>, Future<EventsResult>> apply;
  private final Listener listener;
  private final String topic;
  private final long retryMaxMs;
  private final Thread thread;
  private final AtomicLong lag = new AtomicLong();
  private final AtomicLong applied = new AtomicLong();
  private volatile boolean running = true;
  // records polled and not applied yet, per partition in offset order (consumer thread only)
  private final Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> pending = new HashMap<>();
  private long lagCheckedAt;

  private KafkaEventConsumer(
      EventsConfig config,
      Function<List<UserEvent>, Future<EventsResult>> apply,
      Listener listener) {
    this.consumer = new KafkaConsumer<>(consumerProperties(config));
    this.apply = apply;
    this.listener = listener == null ? Listener.NONE : listener;
    this.topic = config.topic();
    this.retryMaxMs = config.retryMaxMs();
    this.thread = new Thread(this::run, "funnel-events-consumer");
    this.thread.setDaemon(true);
  }

  /**
   * Joins {@code events.kafka.group} and starts applying the topic with {@code apply} (the store's
   * idempotent {@code applyEvents}). A new group starts at the beginning of the topic.
   */
  public static KafkaEventConsumer start(
      EventsConfig config,
      Function<List<UserEvent>, Future<EventsResult>> apply,
      Listener listener) {
    KafkaEventConsumer c = new KafkaEventConsumer(config, apply, listener);
    c.thread.start();
    return c;
  }

  static Properties consumerProperties(EventsConfig config) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, config.group());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "funnel-events-consumer");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // a group that never committed has applied nothing: it starts from the first record
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    // a member killed without leaving gives its partitions up after this, not the 45 s default
    p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
    p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_000);
    p.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
    // a topic created after the subscription is found within seconds, not the 5 min default
    p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 10_000);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return p;
  }

  /** Records in this member's partitions that are not applied yet (as of the last check, ≤ 1 s). */
  public long lag() {
    return lag.get();
  }

  /** Events this member applied (not counting duplicates) since it started. */
  public long applied() {
    return applied.get();
  }

  private void run() {
    long backoff = FIRST_BACKOFF_MS;
    boolean failing = false;
    try {
      consumer.subscribe(List.of(topic), new Rebalance());
      while (running) {
        try {
          if (pending.isEmpty()) {
            // (a rebalance may have taken the records that a failure had paused us on)
            failing = false;
            if (!consumer.paused().isEmpty()) {
              consumer.resume(consumer.paused());
            }
            add(consumer.poll(Duration.ofMillis(POLL_MS)));
          } else if (failing) {
            // keeps the membership (and takes records of partitions assigned meanwhile)
            consumer.pause(consumer.assignment());
            add(consumer.poll(Duration.ofMillis(backoff)));
          }
          refreshLag(false);
          if (pending.isEmpty()) {
            continue;
          }
          if (applyAndCommit()) {
            if (failing) {
              LOG.info("events consumer: the store takes records again; resuming");
            }
            failing = false;
            backoff = FIRST_BACKOFF_MS;
            consumer.resume(consumer.paused());
            refreshLag(true);
          } else {
            failing = true;
            backoff = Math.min(retryMaxMs, backoff * 2);
          }
        } catch (WakeupException e) {
          // close() asked us to stop
        } catch (RuntimeException e) {
          // broker trouble (the client reconnects by itself) or anything unforeseen: the records
          // stay pending, and the thread must not die of it
          LOG.warn("events consumer: {}", e.toString());
          sleep(backoff);
          backoff = Math.min(retryMaxMs, backoff * 2);
        }
      }
    } catch (RuntimeException | Error e) {
      LOG.error("events consumer stopped", e);
      throw e;
    } finally {
      try {
        consumer.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        LOG.warn("events consumer: unclean close: {}", e.toString());
      }
    }
  }

  private void add(ConsumerRecords<byte[], byte[]> records) {
    for (TopicPartition tp : records.partitions()) {
      pending.computeIfAbsent(tp, k -> new ArrayList<>()).addAll(records.records(tp));
    }
  }

  /**
   * Applies every pending record as one batch and commits past them. False (nothing committed,
   * records kept) when the store refused.
   */
  private boolean applyAndCommit() {
    List<UserEvent> events = new ArrayList<>();
    int undecodable = 0;
    Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
    for (Map.Entry<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> e : pending.entrySet()) {
      for (ConsumerRecord<byte[], byte[]> r : e.getValue()) {
        try {
          events.add(EventRecords.decode(r.value()));
        } catch (IllegalArgumentException bad) {
          undecodable++;
          LOG.warn("events consumer: skipping {}@{}: {}", e.getKey(), r.offset(), bad.getMessage());
        }
      }
      List<ConsumerRecord<byte[], byte[]>> records = e.getValue();
      commit.put(e.getKey(), new OffsetAndMetadata(records.get(records.size() - 1).offset() + 1));
    }
    if (!events.isEmpty()) {
      EventsResult result;
      try {
        result = awaitApplied(apply.apply(events));
      } catch (Exception e) {
        listener.applyFailed();
        LOG.warn(
            "events consumer: the store refused {} records ({}); not committed, will retry",
            events.size(),
            e.toString());
        return false;
      }
      applied.addAndGet(result.accepted());
      listener.consumed("applied", result.accepted());
      listener.consumed("duplicate", result.duplicates());
    }
    if (undecodable > 0) {
      listener.consumed("undecodable", undecodable);
    }
    pending.clear();
    try {
      commit(commit);
    } catch (KafkaException e) {
      // Applied but not committed (a rebalance, the broker away): whoever reads these records
      // next finds their ids applied and counts them as duplicates.
      LOG.warn("events consumer: commit failed after applying: {}", e.toString());
    }
    return true;
  }

  /**
   * The store's answer. Not {@code Future.await}: it rethrows a failure as it is, and the Redis
   * client fails with {@code ErrorType}, a Throwable that is no Exception (it would end the
   * thread).
   */
  static EventsResult awaitApplied(Future<EventsResult> applied) throws Exception {
    try {
      return applied
          .toCompletionStage()
          .toCompletableFuture()
          .get(APPLY_LIMIT_MS, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof Exception ex
          ? ex
          : new IllegalStateException(String.valueOf(cause), cause);
    }
  }

  // close() may wake the consumer up in the middle of the commit: the records are applied, so the
  // commit is worth finishing (wakeup() interrupts one call only).
  private void commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
    try {
      consumer.commitSync(offsets);
    } catch (WakeupException e) {
      consumer.commitSync(offsets);
    }
  }

  /** Lag = end offset − next record to apply, over this member's partitions. */
  private void refreshLag(boolean now) {
    long t = System.nanoTime();
    if (!now && t - lagCheckedAt < LAG_REFRESH_MS * 1_000_000) {
      return;
    }
    lagCheckedAt = t;
    Set<TopicPartition> assigned = consumer.assignment();
    if (assigned.isEmpty()) {
      lag.set(0);
      return;
    }
    try {
      Map<TopicPartition, Long> ends = consumer.endOffsets(assigned, Duration.ofMillis(500));
      long sum = 0;
      for (TopicPartition tp : assigned) {
        List<ConsumerRecord<byte[], byte[]>> waiting = pending.get(tp);
        long next =
            waiting != null && !waiting.isEmpty()
                ? waiting.get(0).offset()
                : consumer.position(tp, Duration.ofMillis(500));
        sum += Math.max(0, ends.getOrDefault(tp, next) - next);
      }
      lag.set(sum);
    } catch (KafkaException e) {
      // keep the last figure; the broker is away and the next check will tell
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Records of partitions this member lost are dropped: their new owner reads them again. */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      partitions.forEach(pending::remove);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      partitions.forEach(pending::remove);
    }
  }

  /**
   * Leaves the group (its partitions go to the other members at once) and stops the thread; a batch
   * being applied is finished first. Records polled and not applied are not committed.
   */
  @Override
  public void close() {
    if (!running) {
      return;
    }
    running = false;
    consumer.wakeup();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(15));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
