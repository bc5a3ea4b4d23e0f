package dev.funnel.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.testing.FunnelServerExtension;
import dev.funnel.testing.FunnelServerExtension.RunningServer;
import dev.funnel.testing.Http;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A seeded fuzz test: random and hostile methods, paths, query strings, headers and bodies against
 * every endpoint of the real server. Whatever comes in, the answer is a status below 500 (or a 503
 * with Retry-After), within seconds, and never shows a stack trace or an internal path. A failing
 * seed is printed, so the case can be replayed.
 */
@ExtendWith(FunnelServerExtension.class)
class HostileInputTest {
  private static final long SEED = 20261128L;
  private static final int CASES = 400;
  private static final List<String> PATHS =
      List.of(
          "/v1/recommendations/u1",
          "/v1/recommendations",
          "/v1/videos/v1/related",
          "/v1/events",
          "/health",
          "/ready",
          "/metrics",
          "/admin/models/reload",
          "/",
          "/v1",
          "/v1/videos//related",
          "/v1/recommendations/%00",
          "/v1/recommendations/..%2F..%2Fetc%2Fpasswd",
          "/v1/recommendations/" + "x".repeat(2000));
  private static final List<String> METHODS =
      List.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "FUZZ");
  private static final List<String> CONTENT_TYPES =
      List.of(
          "application/json",
          "application/json; charset=utf-8",
          "text/plain",
          "application/x-www-form-urlencoded",
          "multipart/form-data; boundary=x",
          "application/problem+json",
          "application/json; charset=ebcdic",
          ";;;",
          "");

  private final RunningServer s;
  private final HttpClient client = Http.client();

  HostileInputTest(RunningServer s) {
    this.s = s;
  }

  @Test
  void fuzz_randomRequests_neverAnswer500OrHang() throws Exception {
    SplittableRandom rnd = new SplittableRandom(SEED);
    for (int i = 0; i < CASES; i++) {
      String method = pick(rnd, METHODS);
      String path = mutate(rnd, pick(rnd, PATHS));
      String query = rnd.nextInt(3) == 0 ? "?" + randomQuery(rnd) : "";
      byte[] body = rnd.nextInt(4) == 0 ? new byte[0] : body(rnd, path);
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(s.url(path) + query))
              .timeout(Duration.ofSeconds(10))
              .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
      if (rnd.nextBoolean()) {
        b.header("Content-Type", pick(rnd, CONTENT_TYPES));
      }
      String requestId = rnd.nextInt(4) == 0 ? randomText(rnd, rnd.nextInt(200)) : null;
      String auth = rnd.nextInt(4) == 0 ? "Bearer " + randomText(rnd, rnd.nextInt(40)) : null;
      try {
        if (requestId != null) {
          b.header("X-Request-Id", requestId);
        }
        if (auth != null) {
          b.header("Authorization", auth);
        }
      } catch (IllegalArgumentException e) {
        b.setHeader("X-Request-Id", "x"); // the client refuses control characters in headers
      }
      String what = "case " + i + " (seed " + SEED + "): " + method + " " + path + query;
      HttpResponse<String> r;
      try {
        r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
      } catch (IllegalArgumentException e) {
        continue; // the client itself refuses (e.g. a header value); nothing was sent
      } catch (IOException e) {
        throw new AssertionError(what + " got no answer: " + e, e);
      }
      assertSane(
          what, r.statusCode(), r.headers().firstValue("Retry-After").orElse(null), r.body());
    }
  }

  private static void assertSane(String what, int status, String retryAfter, String body) {
    // 501/505: the HTTP codec refusing a method or protocol version it does not implement.
    boolean refused = status == 501 || status == 505;
    assertTrue(
        status < 500 || refused || (status == 503 && "1".equals(retryAfter)),
        what + " -> " + status + " " + body);
    assertFalse(
        body.contains("Exception") || body.contains("\tat "), what + " leaks a stack trace");
    assertFalse(
        body.contains("/work/") || body.contains("/tmp/") || body.contains("/home/"),
        what + " leaks a path");
  }

  @Test
  void fuzz_rawMalformedHttp_isRefusedWithoutHanging() throws Exception {
    String[] requests = {
      "GARBAGE\r\n\r\n",
      "GET\r\n\r\n",
      "GET / HTTP/9.9\r\n\r\n",
      "GET /v1/recommendations/u1 HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
      "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
      "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n",
      "GET /health HTTP/1.1\r\nHost: x\r\n" + "X-H: 1\r\n".repeat(3000) + "\r\n",
      "GET /health HTTP/1.1\r\nHost: x\r\nX-Request-Id: \u0001\u0002\r\n\r\n",
      "\u0000\u0001\u0002\u0003\r\n\r\n",
    };
    for (String raw : requests) {
      String what =
          "raw " + raw.substring(0, Math.min(40, raw.length())).replaceAll("\\p{Cntrl}", "?");
      String reply = exchange(raw.getBytes(StandardCharsets.ISO_8859_1));
      if (reply.isEmpty()) {
        continue; // the server closed the connection: refused, not hung
      }
      int status = Integer.parseInt(reply.substring(9, 12));
      assertSane(what, status, null, reply);
    }
    // Oversized parts get their specific answers.
    assertEquals(
        "414",
        exchange(
                ("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1))
            .substring(9, 12));
    assertEquals(
        "431",
        exchange(
                ("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1))
            .substring(9, 12));
    // And the server still serves.
    assertEquals(200, Http.get(s.url("/health")).status());
  }

  /** Sends raw bytes; returns what came back until the server closed or 3 s of silence. */
  private String exchange(byte[] request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", s.server.port())) {
      socket.setSoTimeout(3000);
      OutputStream out = socket.getOutputStream();
      try {
        out.write(request);
        out.flush();
      } catch (IOException e) {
        return ""; // closed on us mid-request: a refusal
      }
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      long until = System.nanoTime() + 5_000_000_000L;
      try {
        int n;
        while ((n = in.read(buf)) > 0) {
          got.write(buf, 0, n);
          String text = got.toString(StandardCharsets.ISO_8859_1);
          if (text.contains("\r\n\r\n") && complete(text)) {
            break;
          }
          assertTrue(System.nanoTime() < until, "the server keeps talking");
        }
      } catch (SocketTimeoutException e) {
        // A request the server still waits to complete (e.g. a body shorter than announced)
        // is the client's fault; the server did not hang on its side: it answers others.
      } catch (IOException e) {
        // reset: a refusal
      }
      return got.toString(StandardCharsets.ISO_8859_1);
    }
  }

  private static boolean complete(String text) {
    int head = text.indexOf("\r\n\r\n");
    String headers = text.substring(0, head).toLowerCase(java.util.Locale.ROOT);
    int at = headers.indexOf("content-length:");
    if (at < 0) {
      return true;
    }
    int end = headers.indexOf("\r\n", at);
    int length =
        Integer.parseInt(headers.substring(at + 15, end < 0 ? headers.length() : end).trim());
    return text.length() - head - 4 >= length;
  }

  @Test
  void admin_noTokenConfigured_isNotThere() {
    Http.Reply r = Http.post(s.url("/admin/models/reload"), null, "");
    assertEquals(404, r.status());
  }

  @Test
  void requestId_givenIsEchoedElseGenerated() throws Exception {
    HttpResponse<String> given =
        client.send(
            HttpRequest.newBuilder(URI.create(s.url("/health")))
                .header("X-Request-Id", "abc-123")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals("abc-123", given.headers().firstValue("X-Request-Id").orElse(null));
    HttpResponse<String> hostile =
        client.send(
            HttpRequest.newBuilder(URI.create(s.url("/nope")))
                .header("X-Request-Id", "<script>")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    String generated = hostile.headers().firstValue("X-Request-Id").orElse(null);
    assertNotNull(generated);
    assertTrue(generated.matches("[0-9a-f-]{36}"), generated);
  }

  @Test
  void metrics_everyRoute_isLabelledWithItsTemplate() {
    String user = s.world.profiles.get(0).userId();
    Http.get(s.url("/v1/users?sample=2"));
    Http.get(s.url("/v1/users/" + user));
    Http.get(s.url("/"));
    Http.get(s.url("/no/such/route"));
    String text = Http.get(s.url("/metrics")).raw().body();
    for (String route : List.of("/v1/users", "/v1/users/:userId", "/", "other")) {
      assertTrue(
          text.contains("route=\"" + route + "\""), "no series for route " + route + ":\n" + text);
    }
    assertFalse(text.contains("route=\"/no/such/route\""), "raw path as a label");
  }

  @Test
  void metrics_prometheusText_hasEveryFamily() {
    Http.get(s.url("/v1/recommendations/" + s.world.profiles.get(0).userId()));
    Http.Reply r = Http.get(s.url("/metrics"));
    assertEquals(200, r.status());
    assertTrue(r.contentType().startsWith("text/plain"), r.contentType());
    String text = r.raw().body();
    for (String name :
        List.of(
            "funnel_http_requests_seconds_bucket{method=\"GET\",route=\"/v1/recommendations/:userId\",status=\"200\"",
            "funnel_stage_seconds_bucket{stage=\"features\"",
            "funnel_stage_seconds_bucket{stage=\"tower\"",
            "funnel_stage_seconds_bucket{stage=\"index\"",
            "funnel_stage_seconds_bucket{stage=\"rank\"",
            "funnel_stage_seconds_bucket{stage=\"total\"",
            "funnel_degraded_total",
            "funnel_shed_total",
            "funnel_inference_pending",
            "funnel_model_version{version=\"" + s.world.bundle.version() + "\"} 1.0",
            "funnel_feature_store_breaker_open 0.0")) {
      assertTrue(text.contains(name), "missing " + name);
    }
  }

  // --- generators -----------------------------------------------------------------------------

  private static <T> T pick(SplittableRandom rnd, List<T> list) {
    return list.get(rnd.nextInt(list.size()));
  }

  private static String mutate(SplittableRandom rnd, String path) {
    return switch (rnd.nextInt(6)) {
      case 0 -> path + "/" + enc(randomText(rnd, rnd.nextInt(20)));
      case 1 -> path.replace("u1", enc(randomText(rnd, 1 + rnd.nextInt(300))));
      case 2 -> path.replace("v1", enc(randomText(rnd, 1 + rnd.nextInt(30))));
      case 3 -> path + "//";
      default -> path;
    };
  }

  private static String randomQuery(SplittableRandom rnd) {
    String[] names = {"count", "user", "cnt", "explain", "", "count[]"};
    String[] values = {"20", "0", "-1", "999999999999", "1e3", "", "abc", "%00", "500", "501"};
    StringBuilder q = new StringBuilder();
    int n = 1 + rnd.nextInt(3);
    for (int i = 0; i < n; i++) {
      q.append(i == 0 ? "" : "&")
          .append(enc(names[rnd.nextInt(names.length)]))
          .append('=')
          .append(enc(values[rnd.nextInt(values.length)]));
    }
    return q.toString();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String randomText(SplittableRandom rnd, int length) {
    String alphabet = "abcXYZ019 _-:./\\\"'<>{}[]%&?#\u00e9\u4e2d\ud83d\ude00\u0000\u0007\n\t";
    StringBuilder b = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      b.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
    }
    return b.toString();
  }

  private static byte[] body(SplittableRandom rnd, String path) {
    return switch (rnd.nextInt(6)) {
      case 0 -> {
        byte[] b = new byte[rnd.nextInt(2000)];
        for (int i = 0; i < b.length; i++) {
          b[i] = (byte) rnd.nextInt(256);
        }
        yield b;
      }
      case 1 -> ("[".repeat(3000) + "]".repeat(3000)).getBytes(StandardCharsets.UTF_8);
      case 2 -> "x".repeat(70_000).getBytes(StandardCharsets.UTF_8);
      case 3 -> events(rnd).encode().getBytes(StandardCharsets.UTF_8);
      default ->
          io.vertx.core.json.Json.encode(randomJson(rnd, 0)).getBytes(StandardCharsets.UTF_8);
    };
  }

  private static JsonObject events(SplittableRandom rnd) {
    JsonArray events = new JsonArray();
    int n = rnd.nextInt(5);
    for (int i = 0; i < n; i++) {
      JsonObject e =
          new JsonObject()
              .put("id", "fz-" + rnd.nextLong())
              .put("type", pick(rnd, List.of("watch", "impression", "search", "WATCH", "")))
              .put("user", "fz-" + randomText(rnd, rnd.nextInt(10)))
              .put(
                  "ts",
                  pick(rnd, List.<Object>of(1_700_000_000L, -1, 1e300, "now", Long.MAX_VALUE)));
      if (rnd.nextBoolean()) {
        e.put("video", randomText(rnd, rnd.nextInt(10)));
      }
      if (rnd.nextBoolean()) {
        e.put("query", randomText(rnd, rnd.nextInt(300)));
      }
      if (rnd.nextBoolean()) {
        e.put("watch_seconds", pick(rnd, List.<Object>of(1.5, -3, 1e308, "x", 0)));
      }
      events.add(rnd.nextInt(10) == 0 ? (Object) "not an event" : e);
    }
    return new JsonObject().put("events", events);
  }

  private static Object randomJson(SplittableRandom rnd, int depth) {
    int kind = depth > 4 ? rnd.nextInt(5) : rnd.nextInt(7);
    switch (kind) {
      case 0:
        return null;
      case 1:
        return rnd.nextLong();
      case 2:
        return rnd.nextDouble() * 1e300;
      case 3:
        return randomText(rnd, rnd.nextInt(50));
      case 4:
        return rnd.nextBoolean();
      case 5:
        {
          JsonArray a = new JsonArray();
          int n = rnd.nextInt(5);
          for (int i = 0; i < n; i++) {
            a.add(randomJson(rnd, depth + 1));
          }
          return a;
        }
      default:
        {
          JsonObject o = new JsonObject();
          String[] keys = {
            "user",
            "history",
            "context",
            "count",
            "exclude",
            "events",
            "id",
            "geo",
            "age",
            "searches",
            randomText(rnd, 5)
          };
          int n = rnd.nextInt(5);
          for (int i = 0; i < n; i++) {
            o.put(keys[rnd.nextInt(keys.length)], randomJson(rnd, depth + 1));
          }
          return o;
        }
    }
  }
}
