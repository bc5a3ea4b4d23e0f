package dev.funnel.testing;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * A small open-loop load driver for tests: request i is sent at start + i/rate whatever happened to
 * the earlier ones (a closed loop would slow down with the server and hide overload). Test-only;
 * the drills in docs/reliability.md use the shared LoadGen or {@code ./funnel bench}.
 */
public final class FixedRateLoad {
  /** One exchange: status -1 = no HTTP answer (connection error or client timeout). */
  public record Result(
      int seq, long sentNanos, long latencyNanos, int status, String retryAfter, String body) {
    public double latencyMs() {
      return latencyNanos / 1e6;
    }
  }

  private static final HttpClient CLIENT = Http.client();

  private FixedRateLoad() {}

  /**
   * Sends {@code rate × seconds} requests at a fixed rate and waits for every answer (each at most
   * 10 s). {@code requests} makes request i; {@code onTick} (may be null) is called with the
   * elapsed seconds every 50 ms, to inject faults at chosen times.
   */
  public static List<Result> run(
      int rate,
      double seconds,
      IntFunction<HttpRequest.Builder> requests,
      java.util.function.DoubleConsumer onTick)
      throws Exception {
    int total = (int) Math.round(rate * seconds);
    List<CompletableFuture<Result>> pending = new ArrayList<>(total);
    long start = System.nanoTime();
    long nextTick = start;
    for (int i = 0; i < total; i++) {
      long due = start + (long) (i * 1e9 / rate);
      long now;
      while ((now = System.nanoTime()) < due) {
        if (onTick != null && now >= nextTick) {
          onTick.accept((now - start) / 1e9);
          nextTick = now + 50_000_000L;
        }
        long wait = Math.min(due - now, 1_000_000L);
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      int seq = i;
      long sent = System.nanoTime();
      HttpRequest r = requests.apply(i).timeout(Duration.ofSeconds(10)).build();
      pending.add(
          CLIENT
              .sendAsync(r, HttpResponse.BodyHandlers.ofString())
              .handle(
                  (resp, err) ->
                      resp == null
                          ? new Result(
                              seq, sent, System.nanoTime() - sent, -1, null, String.valueOf(err))
                          : new Result(
                              seq,
                              sent,
                              System.nanoTime() - sent,
                              resp.statusCode(),
                              resp.headers().firstValue("Retry-After").orElse(null),
                              resp.body())));
    }
    List<Result> out = new ArrayList<>(total);
    for (CompletableFuture<Result> f : pending) {
      out.add(f.get(30, TimeUnit.SECONDS));
    }
    return out;
  }

  /** The q-quantile (0..1) of the latencies in milliseconds; NaN when empty. */
  public static double quantileMs(List<Result> results, double q) {
    double[] ms = results.stream().mapToDouble(Result::latencyMs).sorted().toArray();
    if (ms.length == 0) {
      return Double.NaN;
    }
    return ms[
        Math.min(
            ms.length - 1,
            (int) Math.ceil(q * ms.length) - 1 < 0 ? 0 : (int) Math.ceil(q * ms.length) - 1)];
  }

  /** Count per status, for assertion messages. */
  public static String statuses(List<Result> results) {
    return Arrays.toString(
        results.stream()
            .collect(
                java.util.stream.Collectors.groupingBy(
                    Result::status, java.util.TreeMap::new, java.util.stream.Collectors.counting()))
            .entrySet()
            .toArray());
  }
}
