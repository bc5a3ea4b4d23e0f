package dev.funnel.events.kafka;

import dev.funnel.config.EventsConfig;
import dev.funnel.events.EventsResult;
import dev.funnel.events.UserEvent;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Applies the whole events topic, from its first record to its end when the replay starts, to a
 * store: the way to rebuild profiles after the store lost them (load the profiles of the dataset
 * first, then replay). Outside any consumer group (nothing is committed, the serving group's
 * offsets are not touched). Safe on a store that already has some of the events: their ids are
 * applied, so they count as duplicates (within {@code redis.event-id-ttl-seconds}).
 */
public final class EventReplay {
  /** What a replay did. */
  public record Result(long records, long applied, long duplicates, long undecodable) {}

  static final int MAX_ATTEMPTS = 10;

  private EventReplay() {}

  /**
   * Reads every partition of the topic to its end offset as of now and applies each poll's records
   * as one batch (retried up to {@value #MAX_ATTEMPTS} times with a growing pause when the store
   * refuses it).
   *
   * @throws IllegalStateException when the topic does not exist, the broker does not answer within
   *     {@code timeout}, or the store keeps refusing a batch
   */
  public static Result run(
      EventsConfig config, Function<List<UserEvent>, Future<EventsResult>> apply, Duration timeout)
      throws InterruptedException {
    Properties p = KafkaEventConsumer.consumerProperties(config);
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "funnel-events-replay");
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    long records = 0;
    long applied = 0;
    long duplicates = 0;
    long undecodable = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
      List<PartitionInfo> infos = consumer.partitionsFor(config.topic(), timeout);
      if (infos == null || infos.isEmpty()) {
        throw new IllegalStateException("topic " + config.topic() + " does not exist");
      }
      List<TopicPartition> partitions =
          infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!reachedEnd(consumer, ends, timeout)) {
        ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(500));
        if (polled.isEmpty()) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(
                "no records from " + config.bootstrapServers() + " within " + timeout);
          }
          continue;
        }
        deadline = System.nanoTime() + timeout.toNanos();
        List<UserEvent> events = new ArrayList<>(polled.count());
        for (ConsumerRecord<byte[], byte[]> r : polled) {
          // records past the end seen at the start belong to the live stream, not the replay
          Long end = ends.get(new TopicPartition(r.topic(), r.partition()));
          if (end != null && r.offset() >= end) {
            continue;
          }
          records++;
          try {
            events.add(EventRecords.decode(r.value()));
          } catch (IllegalArgumentException e) {
            undecodable++;
          }
        }
        EventsResult result = applyWithRetries(apply, events);
        applied += result.accepted();
        duplicates += result.duplicates();
      }
    }
    return new Result(records, applied, duplicates, undecodable);
  }

  private static boolean reachedEnd(
      KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> ends, Duration timeout) {
    for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
      if (consumer.position(e.getKey(), timeout) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private static EventsResult applyWithRetries(
      Function<List<UserEvent>, Future<EventsResult>> apply, List<UserEvent> events)
      throws InterruptedException {
    if (events.isEmpty()) {
      return new EventsResult(0, 0);
    }
    Exception last = null;
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      try {
        return KafkaEventConsumer.awaitApplied(apply.apply(events));
      } catch (Exception e) {
        last = e;
        Thread.sleep(Math.min(5000, 100L << attempt));
      }
    }
    throw new IllegalStateException(
        "the store refused a batch of " + events.size() + " events " + MAX_ATTEMPTS + " times",
        last);
  }
}
