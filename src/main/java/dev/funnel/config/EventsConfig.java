package dev.funnel.config;

import java.util.List;

/**
 * Where {@code POST /v1/events} puts a batch (docs/events-kafka.md).
 *
 * @param mode direct = applied to the feature store before the 202; kafka = appended to a Kafka
 *     topic before the 202 and applied by a consumer group
 * @param bootstrap Kafka {@code host:port} entries (kafka mode; empty otherwise allowed)
 * @param topic the events topic, keyed by user id
 * @param group the consumer group that applies the topic to the feature store
 * @param consume whether this process runs a member of that group
 * @param timeoutMs how long a batch may wait for the broker's acknowledgement before a 503
 * @param partitions partitions of the topic when this process has to create it
 * @param retryMaxMs longest pause between two attempts to apply a batch the store refused
 */
public record EventsConfig(
    Mode mode,
    List<String> bootstrap,
    String topic,
    String group,
    boolean consume,
    int timeoutMs,
    int partitions,
    int retryMaxMs) {

  public enum Mode {
    DIRECT,
    KAFKA
  }

  public EventsConfig {
    bootstrap = List.copyOf(bootstrap);
  }

  public boolean kafka() {
    return mode == Mode.KAFKA;
  }

  /** The bootstrap list as Kafka's {@code bootstrap.servers} wants it. */
  public String bootstrapServers() {
    return String.join(",", bootstrap);
  }

  @Override
  public String toString() {
    return kafka()
        ? "kafka("
            + bootstrapServers()
            + " topic "
            + topic
            + ", group "
            + group
            + (consume ? ", consuming" : ", not consuming")
            + ")"
        : "direct";
  }
}
