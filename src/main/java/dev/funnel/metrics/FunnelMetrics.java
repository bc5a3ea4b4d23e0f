package dev.funnel.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The server's Prometheus metrics (Micrometer), scraped at {@code GET /metrics}. One registry per
 * server, never a global one, so that several servers in one JVM (tests) do not mix their numbers.
 * Thread-safe.
 *
 * <ul>
 *   <li>{@code funnel_http_requests_seconds{route,method,status}}: every answered request (rate,
 *       errors by status, latency histogram)
 *   <li>{@code funnel_stage_seconds{stage}}: per pipeline stage (features, queue, tower, index,
 *       rank, total), as histograms
 *   <li>{@code funnel_degraded_total}, {@code funnel_shed_total}: degraded answers, 503s for a full
 *       queue
 *   <li>{@code funnel_problems_total{kind,status}}: answers that were problems (client, router,
 *       overloaded, store_unavailable, reload_busy, model_rejected, internal)
 *   <li>{@code funnel_events_total{result=accepted|duplicate}}, {@code
 *       funnel_event_batches_total{result=ok|rejected|unavailable}}
 *   <li>{@code funnel_events_consumed_total{result=applied|duplicate|undecodable}}, {@code
 *       funnel_events_apply_failures_total}, {@code funnel_events_consumer_lag}: the Kafka consumer
 *       of {@code events.mode = kafka}
 *   <li>{@code funnel_inference_pending}: requests admitted and not answered yet
 *   <li>{@code funnel_model_version{version}} = 1 for the model being served; {@code
 *       funnel_model_reloads_total{result}}
 *   <li>{@code funnel_model_rollout{replica,target,state}} = 1: in a fleet rollout, the version
 *       this replica should serve and whether it does (current, loading, failed)
 *   <li>{@code funnel_feature_store_breaker_open}: 1 while the circuit breaker is not closed
 * </ul>
 */
public final class FunnelMetrics {
  private static final Duration[] SLOS = {
    Duration.ofMillis(1),
    Duration.ofMillis(2),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(20),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(1000)
  };

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, Timer> stages = new ConcurrentHashMap<>();
  private final Map<String, Timer> requests = new ConcurrentHashMap<>();
  private final Counter degraded;
  private final Counter shed;
  private final Counter eventsAccepted;
  private final Counter eventsDuplicate;
  private final DistributionSummary batchSize;
  private volatile String modelVersion = "";

  public FunnelMetrics() {
    degraded =
        Counter.builder("funnel_degraded")
            .description("answers served degraded (store, deadline or model failure)")
            .register(registry);
    shed =
        Counter.builder("funnel_shed")
            .description("requests answered 503 because the inference queue was full")
            .register(registry);
    eventsAccepted = Counter.builder("funnel_events").tag("result", "accepted").register(registry);
    eventsDuplicate =
        Counter.builder("funnel_events").tag("result", "duplicate").register(registry);
    batchSize =
        DistributionSummary.builder("funnel_event_batch_size")
            .description("events per POST /v1/events")
            .register(registry);
  }

  /** Registers a gauge read at scrape time (e.g. the inference queue depth). */
  public <T> void gauge(String name, String description, T obj, ToDoubleFunction<T> value) {
    Gauge.builder(name, obj, value)
        .description(description)
        .strongReference(true)
        .register(registry);
  }

  /** The served model version changes: re-labels {@code funnel_model_version}. */
  public synchronized void modelVersion(String version) {
    registry.find("funnel_model_version").gauges().forEach(registry::remove);
    modelVersion = version;
    Gauge.builder("funnel_model_version", this, m -> 1.0)
        .description("the model version being served (label), always 1")
        .tag("version", version)
        .register(registry);
  }

  public String modelVersion() {
    return modelVersion;
  }

  private String rolloutLabels = "";

  /**
   * This replica's place in a fleet rollout: re-labels {@code
   * funnel_model_rollout{replica,target,state}} (state: current, loading, failed), always 1.
   */
  public synchronized void rollout(String replica, String target, String state) {
    String labels = replica + '\n' + target + '\n' + state;
    if (labels.equals(rolloutLabels)) {
      return;
    }
    rolloutLabels = labels;
    registry.find("funnel_model_rollout").gauges().forEach(registry::remove);
    Gauge.builder("funnel_model_rollout", this, m -> 1.0)
        .description("fleet rollout: this replica, the version it should serve, and its state")
        .tag("replica", replica)
        .tag("target", target)
        .tag("state", state)
        .register(registry);
  }

  public void reload(String result) {
    registry.counter("funnel_model_reloads", "result", result).increment();
  }

  /** One answered HTTP request. {@code route} is the route template, never the raw path. */
  public void request(String route, String method, int status, long nanos) {
    String key = route + ' ' + method + ' ' + status;
    requests
        .computeIfAbsent(
            key,
            k ->
                Timer.builder("funnel_http_requests")
                    .description("answered HTTP requests")
                    .tags("route", route, "method", method, "status", Integer.toString(status))
                    .serviceLevelObjectives(SLOS)
                    .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /** One recommendation answer: its stage timings and whether it degraded. */
  public void recommendation(StageTimings t, boolean wasDegraded) {
    stage("features", t.featuresMs());
    stage("queue", t.queueMs());
    if (t.towerMs() > 0) {
      stage("tower", t.towerMs());
    }
    if (t.indexMs() > 0) {
      stage("index", t.indexMs());
    }
    if (t.rankMs() > 0) {
      stage("rank", t.rankMs());
    }
    stage("total", t.totalMs());
    if (wasDegraded) {
      degraded.increment();
    }
  }

  private void stage(String stage, double ms) {
    stages
        .computeIfAbsent(
            stage,
            s ->
                Timer.builder("funnel_stage")
                    .description("time spent in one stage of the recommendation funnel")
                    .tag("stage", s)
                    .serviceLevelObjectives(SLOS)
                    .register(registry))
        .record((long) (ms * 1e6), TimeUnit.NANOSECONDS);
  }

  public void shed() {
    shed.increment();
  }

  /**
   * One request answered with a problem. {@code kind} comes from a fixed set of names (the failure
   * handler's classification), so the number of series stays bounded.
   */
  public void problem(String kind, int status) {
    registry
        .counter("funnel_problems", "kind", kind, "status", Integer.toString(status))
        .increment();
  }

  public void events(int accepted, int duplicates) {
    eventsAccepted.increment(accepted);
    eventsDuplicate.increment(duplicates);
    batchSize.record(accepted + duplicates);
  }

  /**
   * Events the Kafka consumer handled ({@code funnel_events_consumed_total{result}}): applied,
   * duplicate (applied before) or undecodable (skipped).
   */
  public void eventsConsumed(String result, int n) {
    if (n > 0) {
      registry.counter("funnel_events_consumed", "result", result).increment(n);
    }
  }

  /** A batch of consumed records the store refused ({@code funnel_events_apply_failures_total}). */
  public void eventsApplyFailed() {
    registry.counter("funnel_events_apply_failures").increment();
  }

  public void eventBatch(String result) {
    registry.counter("funnel_event_batches", "result", result).increment();
  }

  public void breakerOpen(Supplier<Boolean> open) {
    gauge(
        "funnel_feature_store_breaker_open",
        "1 while the feature store circuit breaker is open or half-open",
        open,
        s -> s.get() ? 1.0 : 0.0);
  }

  /** The Prometheus text exposition of every metric. */
  public String scrape() {
    return registry.scrape();
  }
}
