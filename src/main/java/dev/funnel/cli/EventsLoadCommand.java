package dev.funnel.cli;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code funnel events-load}: {@code POST /v1/events} at a fixed rate (open loop), one event per
 * request, cycling impression, watch and search for random users; a 503 or a failed connection is
 * retried with the same event id after its Retry-After, as a client should, until {@code --grace}
 * seconds after the run. Writes the id of every event answered 202 to {@code --ids}, for the drills
 * that check that each was applied exactly once.
 */
@Command(
    name = "events-load",
    mixinStandardHelpOptions = true,
    description =
        "POST /v1/events at a fixed rate, retrying 503s with the same id; writes the ids answered"
            + " 202 and prints a JSON summary.")
public final class EventsLoadCommand implements java.util.concurrent.Callable<Integer> {
  @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "Server base URL.")
  URI url;

  @Option(names = "--rate", defaultValue = "200", description = "Events per second.")
  double rate;

  @Option(names = "--duration", defaultValue = "60", description = "Seconds of sending.")
  int duration;

  @Option(names = "--users", defaultValue = "1000", description = "Users u0..u{N-1}.")
  int users;

  @Option(names = "--videos", defaultValue = "2000", description = "Videos v0..v{N-1}.")
  int videos;

  @Option(
      names = "--grace",
      defaultValue = "60",
      description = "Seconds after the run during which retries go on.")
  int grace;

  @Option(names = "--timeout-ms", defaultValue = "10000", description = "Per-request timeout.")
  int timeoutMs;

  @Option(
      names = "--connections",
      defaultValue = "64",
      description =
          "Requests in flight at most (a client's connection pool); a send waits for a free one,"
              + " and that wait counts in the latency.")
  int connections;

  @Option(names = "--ids", description = "Write the id of each event answered 202 here.")
  Path ids;

  @Option(names = "--id-prefix", defaultValue = "load", description = "Event ids are PREFIX-i.")
  String idPrefix;

  @Option(names = "--seed", defaultValue = "1", description = "Seed for users and videos.")
  long seed;

  private final Map<String, LongAdder> answers = new ConcurrentHashMap<>();
  private final LongAdder transportErrors = new LongAdder();
  private final LongAdder retries = new LongAdder();
  private final LongAdder gaveUp = new LongAdder();
  private final ConcurrentLinkedQueue<String> queued = new ConcurrentLinkedQueue<>();
  private static final long MAX_LATENCY_NANOS = 600_000_000_000L;
  private Semaphore inFlight;
  private final Recorder latency = new Recorder(1, MAX_LATENCY_NANOS, 3);

  @Override
  public Integer call() throws Exception {
    if (!(rate > 0) || duration < 1 || users < 1 || videos < 1 || connections < 1) {
      System.err.println(
          "funnel events-load: rate, duration, users, videos, connections must be positive");
      return 2;
    }
    inFlight = new Semaphore(connections);
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    ScheduledExecutorService retryTimer = Executors.newSingleThreadScheduledExecutor();
    SplittableRandom random = new SplittableRandom(seed);
    long ts0 = System.currentTimeMillis() / 1000;
    int total = (int) Math.round(rate * duration);
    AtomicInteger open = new AtomicInteger(total);
    long start = System.nanoTime();
    long giveUpAt = start + TimeUnit.SECONDS.toNanos(duration + grace);
    for (int i = 0; i < total; i++) {
      long due = start + (long) (i * 1e9 / rate);
      long wait;
      while ((wait = due - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      String id = idPrefix + "-" + i;
      String body = body(id, i, "u" + random.nextInt(users), "v" + random.nextInt(videos), ts0 + i);
      send(client, retryTimer, id, body, System.nanoTime(), giveUpAt, open);
    }
    while (open.get() > 0 && System.nanoTime() < giveUpAt + TimeUnit.SECONDS.toNanos(15)) {
      Thread.sleep(50);
    }
    retryTimer.shutdownNow();
    double seconds = (System.nanoTime() - start) / 1e9;
    if (ids != null) {
      Files.write(ids, List.copyOf(queued), StandardCharsets.UTF_8);
    }
    var h = latency.getIntervalHistogram();
    JsonObject byStatus = new JsonObject();
    new TreeMap<>(answers).forEach((k, v) -> byStatus.put(k, v.sum()));
    JsonObject summary =
        new JsonObject()
            .put("rate", rate)
            .put("duration_s", duration)
            .put("events", total)
            .put("queued_202", queued.size())
            .put("answers", byStatus)
            .put("transport_errors", transportErrors.sum())
            .put("retries", retries.sum())
            .put("gave_up", gaveUp.sum() + open.get())
            .put("seconds", Math.round(seconds * 100) / 100.0)
            .put(
                "latency_202_ms",
                new JsonObject()
                    .put("p50", h.getValueAtPercentile(50) / 1e6)
                    .put("p99", h.getValueAtPercentile(99) / 1e6)
                    .put("max", h.getMaxValue() / 1e6));
    System.out.println(summary.encode());
    return gaveUp.sum() + open.get() == 0 ? 0 : 1;
  }

  private static String body(String id, int i, String user, String video, long ts) {
    JsonObject e = new JsonObject().put("id", id).put("user", user).put("ts", ts);
    switch (i % 3) {
      case 0 -> e.put("type", "impression").put("video", video);
      case 1 -> e.put("type", "watch").put("video", video).put("watch_seconds", 30 + i % 600);
      default -> e.put("type", "search").put("query", "q" + (i % 97) + " " + video);
    }
    return new JsonObject().put("events", new io.vertx.core.json.JsonArray().add(e)).encode();
  }

  /** One attempt; a 503 or a failed exchange schedules the next one with the same body. */
  private void send(
      HttpClient client,
      ScheduledExecutorService retryTimer,
      String id,
      String body,
      long firstSent,
      long giveUpAt,
      AtomicInteger open) {
    HttpRequest request =
        HttpRequest.newBuilder(url.resolve("/v1/events"))
            .timeout(Duration.ofMillis(timeoutMs))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    inFlight.acquireUninterruptibly();
    client
        .sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .whenComplete(
            (response, error) -> {
              inFlight.release();
              long retryAfterMs = 1000;
              if (response != null) {
                answers
                    .computeIfAbsent(Integer.toString(response.statusCode()), k -> new LongAdder())
                    .increment();
                if (response.statusCode() == 202) {
                  latency.recordValue(
                      Math.min(MAX_LATENCY_NANOS, Math.max(1, System.nanoTime() - firstSent)));
                  queued.add(id);
                  open.decrementAndGet();
                  return;
                }
                if (response.statusCode() != 503) {
                  // a 4xx will not get better by retrying
                  gaveUp.increment();
                  open.decrementAndGet();
                  return;
                }
                retryAfterMs =
                    1000
                        * response
                            .headers()
                            .firstValue("Retry-After")
                            .map(EventsLoadCommand::seconds)
                            .orElse(1L);
              } else {
                transportErrors.increment();
              }
              if (System.nanoTime() + retryAfterMs * 1_000_000 > giveUpAt) {
                gaveUp.increment();
                open.decrementAndGet();
                return;
              }
              retries.increment();
              retryTimer.schedule(
                  () -> send(client, retryTimer, id, body, firstSent, giveUpAt, open),
                  retryAfterMs,
                  TimeUnit.MILLISECONDS);
            });
  }

  private static long seconds(String retryAfter) {
    try {
      return Math.max(1, Long.parseLong(retryAfter.trim()));
    } catch (NumberFormatException e) {
      return 1;
    }
  }
}
