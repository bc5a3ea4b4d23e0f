package dev.funnel.testing;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A blocking HTTP/1.1 client for tests: real requests over loopback. */
public final class Http {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private Http() {}

  /**
   * The tests' HTTP client: HTTP/1.1, because the JDK 17 client's h2c fails open streams on a
   * server's GOAWAY (JDK-8335181), and a burst through its h2c upgrade once left one request
   * unanswered for 60 s in CI.
   */
  public static HttpClient client() {
    return CLIENT;
  }

  /** Status, headers and body of one exchange. */
  public record Reply(int status, String contentType, HttpResponse<String> raw) {
    public JsonObject json() {
      return new JsonObject(raw.body());
    }

    public String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }
  }

  public static Reply get(String url) {
    return send(HttpRequest.newBuilder(URI.create(url)).GET());
  }

  /** A GET with the given {@code X-Request-Id}, for tests that find the id in the server's log. */
  public static Reply get(String url, String requestId) {
    return send(HttpRequest.newBuilder(URI.create(url)).header("X-Request-Id", requestId).GET());
  }

  public static Reply postJson(String url, String body) {
    return post(url, "application/json", body);
  }

  /** contentType null = no Content-Type header. */
  public static Reply post(String url, String contentType, String body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return send(b);
  }

  public static Reply method(String method, String url) {
    return send(
        HttpRequest.newBuilder(URI.create(url))
            .method(method, HttpRequest.BodyPublishers.noBody()));
  }

  private static Reply send(HttpRequest.Builder b) {
    try {
      HttpResponse<String> r =
          CLIENT.send(
              b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
      return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(null), r);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
