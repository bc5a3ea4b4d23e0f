package dev.funnel.cli;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./funnel bench}: open-loop load at a fixed rate against a running server.
 *
 * <p>Open loop: request i is due at start + i/rate whatever happened to earlier requests, and its
 * latency is measured from that intended send time, not from when the client got round to sending
 * it. A stalled server therefore shows its full cost in the percentiles instead of slowing the load
 * down (no coordinated omission). A single scheduler thread sleeps until each due time and hands
 * the request to a Vert.x HTTP client (non-blocking, a bounded pool of keep-alive connections;
 * requests beyond the pool wait in the client, and that wait is counted).
 *
 * <p>Latencies go into an HdrHistogram (1 µs .. 60 s, 3 significant digits). Errors (transport
 * failures, non-2xx answers, timeouts) are counted and kept out of the latency histogram; answers
 * marked {@code "degraded":true} are counted separately. With {@code --server-pid} the server's
 * resident memory is sampled every few seconds (from /proc), for the "memory stays flat" check, and
 * its CPU time (user + system, /proc/PID/stat) over the measured phase is divided by the answered
 * requests: a cost per request that, unlike latency, hardly moves when other processes load the
 * machine.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "Open-loop load at a fixed rate against a running server; prints a JSON summary with"
            + " HdrHistogram percentiles (latency from the intended send time).")
public final class BenchCommand implements Callable<Integer> {
  @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "Server base URL.")
  URI url;

  @Option(names = "--rate", defaultValue = "200", description = "Requests per second.")
  double rate;

  @Option(names = "--duration", defaultValue = "60", description = "Measured seconds.")
  int duration;

  @Option(
      names = "--warmup",
      defaultValue = "10",
      description = "Seconds of load at the same rate before measuring.")
  int warmup;

  @Option(
      names = "--users",
      paramLabel = "N",
      description =
          "Ask for users u0..u{N-1}, uniformly at random (default: the users the server's store"
              + " holds, from GET /v1/users?sample=10000).")
  Integer users;

  @Option(names = "--count", defaultValue = "20", description = "N per request.")
  int count;

  @Option(
      names = "--connections",
      defaultValue = "64",
      description = "HTTP/1.1 keep-alive connections.")
  int connections;

  @Option(names = "--timeout-ms", defaultValue = "5000", description = "Per-request timeout.")
  int timeoutMs;

  @Option(
      names = "--server-pid",
      description = "Sample this process's RSS during the run and report its CPU ms per request.")
  Long serverPid;

  @Option(names = "--out", description = "Also write the JSON summary to this file.")
  Path out;

  @Option(names = "--seed", defaultValue = "1", description = "Seed for the user sequence.")
  long seed;

  @Override
  public Integer call() throws Exception {
    if (!(rate > 0)
        || duration < 1
        || warmup < 0
        || (users != null && users < 1)
        || connections < 1) {
      System.err.println("funnel bench: rate, duration, users, connections must be positive");
      return 2;
    }
    // Before any load, so the GEMM times the machine and not the benchmark.
    JsonObject machine = MachineFigures.measure();
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
      List<String> ids = users != null ? null : storedUsers(client);
      if (ids != null && ids.isEmpty()) {
        System.err.println(
            "funnel bench: the server's store holds no users (GET /v1/users?sample=…); load"
                + " some with ./funnel load, or ask for u0..u{N-1} with --users N");
        return 2;
      }
      if (ids != null) {
        System.err.println(
            "funnel bench: "
                + ids.size()
                + " user ids from the server's store (--users N to override)");
      }
      // Precomputed paths: the loop must not measure its own string building or RNG.
      int distinct = ids != null ? ids.size() : Math.min(users, 1 << 16);
      String[] paths = new String[distinct];
      SplittableRandom random = new SplittableRandom(seed);
      for (int i = 0; i < distinct; i++) {
        String user = ids != null ? ids.get(i) : "u" + random.nextInt(users);
        paths[i] = "/v1/recommendations/" + user + "?count=" + count;
      }
      Run warm = warmup > 0 ? run(client, paths, warmup, null) : null;
      RssSampler rss = serverPid == null ? null : new RssSampler(serverPid);
      long cpuBefore = serverPid == null ? -1 : cpuTicks(serverPid);
      Map<Long, Long> jitBefore = serverPid == null ? Map.of() : jitTicks(serverPid);
      Run measured = run(client, paths, duration, rss);
      long cpuAfter = serverPid == null ? -1 : cpuTicks(serverPid);
      Map<Long, Long> jitAfter = serverPid == null ? Map.of() : jitTicks(serverPid);
      JsonObject summary = measured.summary(rate, duration);
      summary
          .put("url", url.toString())
          .put("warmup_s", warmup)
          .put("connections", connections)
          .put("machine", machine);
      if (warm != null) {
        summary.put("warmup_errors", warm.errors.get());
      }
      if (rss != null) {
        summary.put("server_rss_mb", rss.summary());
      }
      long answered = measured.ok.get() + measured.non2xx.get();
      if (cpuBefore >= 0 && cpuAfter >= cpuBefore && answered > 0) {
        double cpuMs = (cpuAfter - cpuBefore) * 1000.0 / CLOCK_TICKS_PER_SECOND;
        double jitMs = 0;
        for (Map.Entry<Long, Long> e : jitAfter.entrySet()) {
          jitMs += (e.getValue() - jitBefore.getOrDefault(e.getKey(), 0L)) * 1000.0;
        }
        jitMs /= CLOCK_TICKS_PER_SECOND;
        summary
            .put("server_cpu_s", Math.round(cpuMs) / 1000.0)
            .put("server_cpu_ms_per_request", Math.round(cpuMs / answered * 1000) / 1000.0)
            .put("server_jit_cpu_s", Math.round(jitMs) / 1000.0)
            .put(
                "server_cpu_ms_per_request_without_jit",
                Math.round((cpuMs - jitMs) / answered * 1000) / 1000.0);
      }
      String text = summary.encodePrettily();
      System.out.println(text);
      if (out != null) {
        Files.writeString(out, text + "\n");
      }
      return measured.errors.get() == 0 ? 0 : 1;
    } finally {
      client.close().eventually(vertx::close).await(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Stored user ids from the server under test: the largest sample it answers in time (a large SCAN
   * may miss the server's deadline on a busy store). Empty when it holds none.
   */
  private List<String> storedUsers(HttpClient client) throws Exception {
    Exception last = null;
    for (int n : new int[] {10_000, 1_000, 100}) {
      try {
        JsonObject body =
            client
                .request(HttpMethod.GET, "/v1/users?sample=" + n)
                // the body asked for in the response's own callback (see DrillLoadCommand.send)
                .compose(
                    req ->
                        req.send()
                            .compose(
                                r ->
                                    r.statusCode() == 200
                                        ? r.body()
                                        : io.vertx.core.Future.failedFuture(
                                            "status " + r.statusCode())))
                .map(io.vertx.core.buffer.Buffer::toJsonObject)
                .await(timeoutMs, TimeUnit.MILLISECONDS);
        List<String> ids = new ArrayList<>();
        body.getJsonArray("users").forEach(id -> ids.add(id.toString()));
        return ids;
      } catch (Exception e) {
        last = e;
      }
    }
    throw new IllegalStateException(
        "cannot read user ids from " + url + "/v1/users (" + last.getMessage() + ")", last);
  }

  /** One fixed-rate phase. */
  private final class Run {
    final Recorder latency = new Recorder(1_000, 60_000_000_000L, 3);
    final AtomicLong ok = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong non2xx = new AtomicLong();
    final AtomicLong timeouts = new AtomicLong();
    final AtomicLong degraded = new AtomicLong();
    // Answers per "model" field: a rollout under load shows which versions answered.
    final java.util.Map<String, java.util.concurrent.atomic.LongAdder> models =
        new java.util.concurrent.ConcurrentHashMap<>();
    long sent;
    long lateSends; // the scheduler itself woke > 1 ms after a due time
    double wallSeconds;

    JsonObject summary(double rate, int seconds) {
      org.HdrHistogram.Histogram h = latency.getIntervalHistogram();
      JsonObject ms = new JsonObject();
      for (double p : new double[] {50, 90, 99, 99.9, 99.99}) {
        ms.put("p" + (p == (long) p ? String.valueOf((long) p) : String.valueOf(p)), ms(h, p));
      }
      ms.put("max", h.getMaxValue() / 1e6).put("mean", h.getMean() / 1e6);
      return new JsonObject()
          .put("target_rate", rate)
          .put("duration_s", seconds)
          .put("sent", sent)
          .put("achieved_rate", Math.round(ok.get() / wallSeconds * 10) / 10.0)
          .put("ok", ok.get())
          .put("errors", errors.get())
          .put("errors_non_2xx", non2xx.get())
          .put("errors_timeout", timeouts.get())
          .put("degraded", degraded.get())
          .put("late_sends", lateSends)
          .put("models", modelCounts())
          .put("latency_ms", ms);
    }

    private JsonObject modelCounts() {
      JsonObject counts = new JsonObject();
      new java.util.TreeMap<>(models).forEach((k, v) -> counts.put(k, v.sum()));
      return counts;
    }

    private static double ms(org.HdrHistogram.Histogram h, double p) {
      return Math.round(h.getValueAtPercentile(p) / 1e3) / 1e3;
    }
  }

  private Run run(HttpClient client, String[] paths, int seconds, RssSampler rss)
      throws InterruptedException {
    Run r = new Run();
    long total = (long) Math.ceil(rate * seconds);
    double intervalNanos = 1e9 / rate;
    CountDownLatch done = new CountDownLatch(1);
    AtomicLong finished = new AtomicLong();
    long start = System.nanoTime() + 10_000_000L;
    long nextRss = start;
    for (long i = 0; i < total; i++) {
      long due = start + (long) (i * intervalNanos);
      long now;
      while ((now = System.nanoTime()) < due) {
        LockSupport.parkNanos(due - now);
      }
      if (now - due > 1_000_000L) {
        r.lateSends++;
      }
      if (rss != null && now >= nextRss) {
        rss.sample((now - start) / 1e9);
        nextRss = now + 5_000_000_000L;
      }
      String path = paths[(int) (i % paths.length)];
      client
          .request(HttpMethod.GET, path)
          .compose(
              req -> {
                req.idleTimeout(timeoutMs);
                return req.send().compose(resp -> resp.body().map(b -> new Object[] {resp, b}));
              })
          .onComplete(
              ar -> {
                long end = System.nanoTime();
                if (ar.succeeded()) {
                  io.vertx.core.http.HttpClientResponse resp =
                      (io.vertx.core.http.HttpClientResponse) ar.result()[0];
                  io.vertx.core.buffer.Buffer body = (io.vertx.core.buffer.Buffer) ar.result()[1];
                  if (resp.statusCode() / 100 == 2) {
                    r.ok.incrementAndGet();
                    r.latency.recordValue(Math.min(end - due, 60_000_000_000L));
                    String text = body.toString();
                    if (text.contains("\"degraded\":true")) {
                      r.degraded.incrementAndGet();
                    }
                    r.models
                        .computeIfAbsent(
                            modelOf(text), k -> new java.util.concurrent.atomic.LongAdder())
                        .increment();
                  } else {
                    r.errors.incrementAndGet();
                    r.non2xx.incrementAndGet();
                  }
                } else {
                  r.errors.incrementAndGet();
                  if (String.valueOf(ar.cause()).toLowerCase().contains("timeout")) {
                    r.timeouts.incrementAndGet();
                  }
                }
                if (finished.incrementAndGet() == total) {
                  done.countDown();
                }
              });
      r.sent++;
    }
    r.wallSeconds = seconds;
    if (!done.await(timeoutMs + 10_000L, TimeUnit.MILLISECONDS)) {
      r.errors.addAndGet(total - finished.get());
    }
    if (rss != null) {
      rss.sample((System.nanoTime() - start) / 1e9);
    }
    return r;
  }

  /** USER_HZ: the unit of /proc/PID/stat times (100 on every Linux this runs on). */
  static final int CLOCK_TICKS_PER_SECOND = 100;

  /**
   * utime + stime of a process (all its threads), in clock ticks, from /proc/PID/stat; -1 when it
   * cannot be read. The command name (field 2) may hold spaces, so fields count from its ')'.
   */
  static long cpuTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // after ')': state is field 3, so utime (14) and stime (15) are at 11 and 12
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (Exception e) {
      return -1;
    }
  }

  /**
   * CPU ticks of each JIT compiler thread of a process (by thread id), from /proc/PID/task: the
   * compilers still work through the first minutes on a loaded machine, and their time says nothing
   * about what a request costs once compiled. Threads the JVM retires between two readings are
   * missed (run the server with -XX:-UseDynamicNumberOfCompilerThreads to keep them all).
   */
  static Map<Long, Long> jitTicks(long pid) {
    Map<Long, Long> out = new HashMap<>();
    try (DirectoryStream<Path> tasks =
        Files.newDirectoryStream(Path.of("/proc", "" + pid, "task"))) {
      for (Path task : tasks) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            out.put(
                Long.parseLong(task.getFileName().toString()),
                Long.parseLong(f[11]) + Long.parseLong(f[12]));
          }
        } catch (Exception e) {
          // the thread ended meanwhile
        }
      }
    } catch (Exception e) {
      // no such process: nothing to subtract
    }
    return out;
  }

  /** Resident set size of a process over time, from /proc/PID/status. */
  private static final class RssSampler {
    private final Path status;
    private final JsonArray series = new JsonArray();
    private double first = -1;
    private double last;
    private double max;

    RssSampler(long pid) {
      this.status = Path.of("/proc", Long.toString(pid), "status");
    }

    void sample(double atSeconds) {
      try {
        for (String line : Files.readAllLines(status)) {
          if (line.startsWith("VmRSS:")) {
            double mb = Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            mb = Math.round(mb * 10) / 10.0;
            if (first < 0) {
              first = mb;
            }
            last = mb;
            max = Math.max(max, mb);
            series.add(new JsonArray().add(Math.round(atSeconds)).add(mb));
          }
        }
      } catch (Exception e) {
        // the process may have gone; the summary shows what was sampled
      }
    }

    JsonObject summary() {
      return new JsonObject()
          .put("first", first)
          .put("last", last)
          .put("max", max)
          .put("series_s_mb", series);
    }
  }

  /** The answer's {@code "model"} field without parsing the whole body; "?" when absent. */
  static String modelOf(String body) {
    int i = body.indexOf("\"model\":\"");
    if (i < 0) {
      return "?";
    }
    int from = i + 9;
    int to = body.indexOf('"', from);
    return to < 0 ? "?" : body.substring(from, to);
  }
}
