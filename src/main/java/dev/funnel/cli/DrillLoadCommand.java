package dev.funnel.cli;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./funnel drill-load}: an open-loop mix of recommendations and one-event batches at a fixed
 * rate, for the fault drills (scripts/drill sentinel|cluster). Unlike {@code bench} it keeps what a
 * drill must judge afterwards: every answer counted per second in which it came (so a degraded
 * window can be placed against the moment of a kill), whether each 503 carried {@code Retry-After},
 * and the id of every event answered 202 ({@code accepted.tsv}, for {@code ./funnel check-events}).
 *
 * <p>Each event is an impression of a video named after the event id ({@code drill-<id>}), so the
 * stored profile shows whether that very event was applied.
 */
@Command(
    name = "drill-load",
    mixinStandardHelpOptions = true,
    description =
        "Open-loop mix of GET recommendations and POST /v1/events for fault drills: per-second"
            + " outcomes, the ids answered 202 (accepted.tsv) and a JSON summary (summary.json).")
public final class DrillLoadCommand implements Callable<Integer> {
  @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "Server base URL.")
  URI url;

  @Option(names = "--rate", defaultValue = "200", description = "Requests per second, both kinds.")
  double rate;

  @Option(names = "--duration", defaultValue = "60", description = "Measured seconds of load.")
  int duration;

  @Option(
      names = "--warmup",
      defaultValue = "0",
      description =
          "Seconds of the same load before the measured ones (counted apart; their accepted ids"
              + " are listed too).")
  int warmup;

  @Option(
      names = "--event-share",
      defaultValue = "0.2",
      description = "Fraction of the requests that are event batches (one impression each).")
  double eventShare;

  @Option(
      names = "--users",
      defaultValue = "1000",
      paramLabel = "N",
      description = "Users PREFIX0..PREFIX{N-1}, uniformly at random.")
  int users;

  @Option(
      names = "--user-prefix",
      defaultValue = "u",
      paramLabel = "PREFIX",
      description = "User ids are this plus a number (u: the generated datasets' users).")
  String userPrefix;

  @Option(names = "--connections", defaultValue = "64", description = "Keep-alive connections.")
  int connections;

  @Option(names = "--timeout-ms", defaultValue = "5000", description = "Per-request timeout.")
  int timeoutMs;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Directory for summary.json and accepted.tsv (id, user, video, send ms).")
  Path out;

  @Option(
      names = "--run-id",
      description = "Prefix of the event ids (default: d + the start time in base 36).")
  String runId;

  @Option(names = "--seed", defaultValue = "1", description = "Seed for users and the mix.")
  long seed;

  /** Outcomes per second of intended send time. */
  enum Outcome {
    REC_OK,
    REC_DEGRADED,
    REC_BAD, // not a 200, or no answer
    EVENT_202,
    EVENT_503, // 503 with Retry-After: the client retries, nothing is lost
    EVENT_BAD; // anything else, a 503 without Retry-After, or no answer

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private static final int SAMPLES = 20;

  @Override
  public Integer call() throws Exception {
    if (!(rate > 0)
        || duration < 1
        || warmup < 0
        || users < 1
        || connections < 1
        || !(eventShare >= 0 && eventShare <= 1)) {
      System.err.println(
          "funnel drill-load: rate, duration, users, connections must be positive and"
              + " --event-share in 0..1");
      return 2;
    }
    String run = runId != null ? runId : "d" + Long.toString(System.currentTimeMillis(), 36);
    Files.createDirectories(out);
    Vertx vertx = Vertx.vertx();
    HttpClient client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setDefaultHost(url.getHost())
                .setDefaultPort(url.getPort() > 0 ? url.getPort() : 80)
                .setKeepAlive(true)
                .setTcpNoDelay(true),
            new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
    try {
      // answers may come up to the final wait (below) after the last send
      Tally tally = new Tally(duration + (timeoutMs + 60_000) / 1000 + 2);
      Tally warm = new Tally(1);
      ConcurrentLinkedQueue<String> accepted = new ConcurrentLinkedQueue<>();
      long warmTotal = (long) Math.ceil(rate * warmup);
      long total = warmTotal + (long) Math.ceil(rate * duration);
      CountDownLatch done = new CountDownLatch(1);
      AtomicLong finished = new AtomicLong();
      SplittableRandom random = new SplittableRandom(seed);
      double intervalNanos = 1e9 / rate;
      long sendNanos = System.nanoTime() + 10_000_000L;
      long sendEpochMs = System.currentTimeMillis() + 10;
      // The measured phase: seconds (and a drill's fault marks) count from its first request.
      long startNanos = sendNanos + (long) (warmTotal * intervalNanos);
      long startEpochMs = sendEpochMs + (startNanos - sendNanos) / 1_000_000L;
      long sentEvents = 0;
      for (long i = 0; i < total; i++) {
        long due = sendNanos + (long) (i * intervalNanos);
        long now;
        while ((now = System.nanoTime()) < due) {
          LockSupport.parkNanos(due - now);
        }
        if (i == warmTotal) {
          // A drill schedules its faults from this line.
          System.err.println("funnel drill-load: measuring from " + startEpochMs + " (epoch ms)");
        }
        Tally t = i < warmTotal ? warm : tally;
        boolean warming = i < warmTotal;
        long sendMs = sendEpochMs + (due - sendNanos) / 1_000_000L;
        String user = userPrefix + random.nextInt(users);
        boolean event = random.nextDouble() < eventShare;
        Future<Answer> answer;
        if (event) {
          sentEvents++;
          String id = run + "-" + i;
          String video = "drill-" + id;
          answer = send(client, HttpMethod.POST, "/v1/events", eventBody(id, user, video, sendMs));
          answer.onComplete(
              ar -> {
                int second = warming ? 0 : secondOf(startNanos);
                Outcome o = eventOutcome(ar.succeeded() ? ar.result() : null);
                t.add(second, o, ar.succeeded() ? ar.result().describe() : ar.cause() + "");
                if (o == Outcome.EVENT_202) {
                  accepted.add(id + "\t" + user + "\t" + video + "\t" + sendMs);
                }
              });
        } else {
          answer = send(client, HttpMethod.GET, "/v1/recommendations/" + user + "?count=20", null);
          answer.onComplete(
              ar -> {
                int second = warming ? 0 : secondOf(startNanos);
                t.latency(System.nanoTime() - due);
                Answer a = ar.succeeded() ? ar.result() : null;
                Outcome o =
                    a == null || a.status != 200
                        ? Outcome.REC_BAD
                        : a.body.contains("\"degraded\":true")
                            ? Outcome.REC_DEGRADED
                            : Outcome.REC_OK;
                t.add(second, o, a != null ? a.describe() : ar.cause() + "");
              });
        }
        answer.onComplete(
            ar -> {
              if (finished.incrementAndGet() == total) {
                done.countDown();
              }
            });
      }
      // Requests the client could not send yet wait for a pooled connection without a timeout: on
      // a saturated machine the last ones need more than one request timeout.
      boolean allAnswered = done.await(timeoutMs + 60_000L, TimeUnit.MILLISECONDS);
      List<String> lines = new ArrayList<>(accepted);
      Files.write(out.resolve("accepted.tsv"), lines, StandardCharsets.UTF_8);
      JsonObject summary =
          tally
              .summary()
              .put("run_id", run)
              .put("url", url.toString())
              .put("start_epoch_ms", startEpochMs)
              .put("rate", rate)
              .put("duration_s", duration)
              .put("warmup_s", warmup)
              .put("warmup_totals", warm.summary().getJsonObject("totals"))
              .put("event_share", eventShare)
              .put("sent", total)
              .put("sent_events", sentEvents)
              .put("unanswered", total - finished.get());
      Files.writeString(out.resolve("summary.json"), summary.encodePrettily() + "\n");
      System.out.println(summary.copy().put("timeline", "(in summary.json)").encode());
      boolean clean =
          allAnswered
              && tally.count(Outcome.REC_BAD) + warm.count(Outcome.REC_BAD) == 0
              && tally.count(Outcome.EVENT_BAD) + warm.count(Outcome.EVENT_BAD) == 0;
      return clean ? 0 : 1;
    } finally {
      client.close().eventually(vertx::close).await(10, TimeUnit.SECONDS);
    }
  }

  /**
   * The second of the measured phase in which an answer came: a drill compares it with the moments
   * of its faults, and on a loaded machine an answer may come seconds after its intended send time.
   */
  private static int secondOf(long startNanos) {
    return (int) Math.max(0, (System.nanoTime() - startNanos) / 1_000_000_000L);
  }

  static String eventBody(String id, String user, String video, long sendMs) {
    JsonObject e =
        new JsonObject()
            .put("id", id)
            .put("type", "impression")
            .put("user", user)
            .put("video", video)
            .put("ts", sendMs / 1000);
    return new JsonObject().put("events", new JsonArray().add(e)).encode();
  }

  static Outcome eventOutcome(Answer a) {
    if (a == null) {
      return Outcome.EVENT_BAD;
    }
    if (a.status == 202) {
      return Outcome.EVENT_202;
    }
    return a.status == 503 && a.retryAfter != null ? Outcome.EVENT_503 : Outcome.EVENT_BAD;
  }

  /** What came back: status, Retry-After header (or null) and body. */
  record Answer(int status, String retryAfter, String body) {
    String describe() {
      String head = body.length() > 200 ? body.substring(0, 200) : body;
      return status + (retryAfter != null ? " Retry-After " + retryAfter : "") + " " + head;
    }
  }

  /**
   * One exchange, bounded as a whole (the wait for a pooled connection included). A request the
   * client gave up on is reset, or never sent when it was still waiting for a connection, so that
   * it does not take the server's time after it has been counted as failed.
   */
  private Future<Answer> send(HttpClient client, HttpMethod method, String path, String body) {
    AtomicBoolean gaveUp = new AtomicBoolean();
    AtomicReference<HttpClientRequest> sending = new AtomicReference<>();
    return client
        .request(method, path)
        .compose(
            req -> {
              if (gaveUp.get()) {
                req.reset();
                return Future.failedFuture("given up before a connection was free");
              }
              sending.set(req);
              req.idleTimeout(timeoutMs);
              if (body != null) {
                req.putHeader("content-type", "application/json");
              }
              // The body is asked for in the response's own callback: one composition later, the
              // response could already have ended (the answer then never completes).
              return (body == null ? req.send() : req.send(Buffer.buffer(body)))
                  .compose(
                      resp ->
                          resp.body()
                              .map(
                                  b ->
                                      new Answer(
                                          resp.statusCode(),
                                          resp.getHeader("Retry-After"),
                                          b.toString())));
            })
        .timeout(timeoutMs + 1000L, TimeUnit.MILLISECONDS)
        .onFailure(
            e -> {
              gaveUp.set(true);
              HttpClientRequest req = sending.get();
              if (req != null) {
                req.reset();
              }
            });
  }

  /** Counters per second and outcome, plus the first few unexpected answers. */
  static final class Tally {
    private final int seconds;
    private final AtomicLongArray counts;
    private final ConcurrentLinkedQueue<JsonObject> samples = new ConcurrentLinkedQueue<>();
    private final AtomicLong sampled = new AtomicLong();
    // recommendations, from the intended send time (open loop: a stall shows in full)
    private final org.HdrHistogram.Recorder recLatency =
        new org.HdrHistogram.Recorder(1_000, 60_000_000_000L, 3);

    void latency(long nanos) {
      recLatency.recordValue(Math.min(Math.max(nanos, 1_000), 60_000_000_000L));
    }

    Tally(int seconds) {
      this.seconds = seconds;
      this.counts = new AtomicLongArray(seconds * Outcome.values().length);
    }

    void add(int second, Outcome o, String what) {
      int s = Math.min(Math.max(second, 0), seconds - 1);
      counts.incrementAndGet(s * Outcome.values().length + o.ordinal());
      if ((o == Outcome.REC_BAD || o == Outcome.EVENT_BAD)
          && sampled.incrementAndGet() <= SAMPLES) {
        samples.add(new JsonObject().put("second", s).put("outcome", o.label()).put("what", what));
      }
    }

    long count(Outcome o) {
      long n = 0;
      for (int s = 0; s < seconds; s++) {
        n += counts.get(s * Outcome.values().length + o.ordinal());
      }
      return n;
    }

    /**
     * Totals, the first and last second with a degraded recommendation or a 503 event, and the
     * timeline: one row per second, the outcomes in {@link Outcome} order.
     */
    JsonObject summary() {
      JsonObject totals = new JsonObject();
      for (Outcome o : Outcome.values()) {
        totals.put(o.label(), count(o));
      }
      JsonArray timeline = new JsonArray();
      int firstDegraded = -1;
      int lastDegraded = -1;
      int first503 = -1;
      int last503 = -1;
      for (int s = 0; s < seconds; s++) {
        JsonArray row = new JsonArray().add(s);
        for (Outcome o : Outcome.values()) {
          row.add(counts.get(s * Outcome.values().length + o.ordinal()));
        }
        if (counts.get(s * Outcome.values().length + Outcome.REC_DEGRADED.ordinal()) > 0) {
          firstDegraded = firstDegraded < 0 ? s : firstDegraded;
          lastDegraded = s;
        }
        if (counts.get(s * Outcome.values().length + Outcome.EVENT_503.ordinal()) > 0) {
          first503 = first503 < 0 ? s : first503;
          last503 = s;
        }
        timeline.add(row);
      }
      JsonArray columns = new JsonArray().add("second");
      for (Outcome o : Outcome.values()) {
        columns.add(o.label());
      }
      org.HdrHistogram.Histogram h = recLatency.getIntervalHistogram();
      JsonObject ms = new JsonObject();
      for (double p : new double[] {50, 99, 100}) {
        ms.put(
            p == 100 ? "max" : "p" + (long) p, Math.round(h.getValueAtPercentile(p) / 1e3) / 1e3);
      }
      return new JsonObject()
          .put("totals", totals)
          .put("rec_latency_ms", ms)
          .put("degraded_seconds", span(firstDegraded, lastDegraded))
          .put("event_503_seconds", span(first503, last503))
          .put("unexpected_sample", new JsonArray(new ArrayList<>(samples)))
          .put("timeline_columns", columns)
          .put("timeline", timeline);
    }

    private static JsonArray span(int first, int last) {
      return first < 0 ? new JsonArray() : new JsonArray().add(first).add(last);
    }
  }
}
