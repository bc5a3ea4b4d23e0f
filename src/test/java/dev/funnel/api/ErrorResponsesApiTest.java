package dev.funnel.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.funnel.testing.FunnelServerExtension;
import dev.funnel.testing.FunnelServerExtension.RunningServer;
import dev.funnel.testing.Http;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every bad request gets its 4xx as application/problem+json, never a 500 or a stack trace. */
@ExtendWith(FunnelServerExtension.class)
class ErrorResponsesApiTest {
  private final RunningServer s;

  ErrorResponsesApiTest(RunningServer s) {
    this.s = s;
  }

  static void assertProblem(Http.Reply r, int status) {
    assertEquals(status, r.status(), r.raw().body());
    assertEquals("application/problem+json", r.contentType());
    JsonObject p = r.json();
    assertEquals(status, p.getInteger("status"));
    assertNotNull(p.getString("type"));
    assertNotNull(p.getString("title"));
    assertNotNull(p.getString("detail"));
    String text = r.raw().body();
    assertFalse(
        text.contains("Exception") || text.contains("at dev.") || text.contains("/work/"), text);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "?count=0",
        "?count=-1",
        "?count=501",
        "?count=abc",
        "?count=1.5",
        "?count=",
        "?count=5&count=6",
        "?cnt=5"
      })
  void getRecommendations_badQuery_is400(String query) {
    assertProblem(Http.get(s.url("/v1/recommendations/u0" + query)), 400);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a%20b", "%01x", "%09"})
  void getRecommendations_unprintableUserId_is400(String id) {
    assertProblem(Http.get(s.url("/v1/recommendations/" + id)), 400);
  }

  @Test
  void getRecommendations_userIdTooLong_is400() {
    assertProblem(Http.get(s.url("/v1/recommendations/" + "u".repeat(129))), 400);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{",
        "[1,2]",
        "{\"count\":0}",
        "{\"count\":\"5\"}",
        "{\"history\":\"v1\"}",
        "{\"history\":[3]}",
        "{\"user\":false}",
        "{\"context\":{\"age\":\"old\"}}",
        "{\"unknown\":1}"
      })
  void postRecommendations_badBody_is400(String body) {
    assertProblem(Http.postJson(s.url("/v1/recommendations"), body), 400);
  }

  @Test
  void postRecommendations_oversizedBody_is413() {
    String big = "{\"history\":[\"" + "v".repeat(70_000) + "\"]}";
    assertProblem(Http.postJson(s.url("/v1/recommendations"), big), 413);
  }

  @Test
  void postRecommendations_textPlain_is415() {
    assertProblem(Http.post(s.url("/v1/recommendations"), "text/plain", "{}"), 415);
  }

  @Test
  void postRecommendations_noContentType_is415() {
    assertProblem(Http.post(s.url("/v1/recommendations"), null, "{}"), 415);
  }

  @Test
  void postRecommendations_jsonWithCharset_isAccepted() {
    Http.Reply r = Http.post(s.url("/v1/recommendations"), "application/json; charset=utf-8", "{}");
    assertEquals(200, r.status(), r.raw().body());
  }

  @Test
  void related_unknownVideo_is404() {
    assertProblem(Http.get(s.url("/v1/videos/no-such-video/related")), 404);
  }

  @Test
  void related_badCount_is400() {
    assertProblem(Http.get(s.url("/v1/videos/v1/related?count=9999")), 400);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/index.html",
        "/v2/recommendations/u0",
        "/v1/recommendations/u0/extra",
        "/v1/videos/v1"
      })
  void unknownRoute_is404(String path) {
    assertProblem(Http.get(s.url(path)), 404);
  }

  @ParameterizedTest
  @CsvSource({"DELETE,/v1/recommendations/u0", "GET,/v1/recommendations", "PUT,/health"})
  void wrongMethod_is405(String method, String path) {
    assertProblem(Http.method(method, s.url(path)), 405);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "DELETE|/v1/recommendations/u0|GET, HEAD",
        "GET|/v1/recommendations|POST",
        "PUT|/health|GET, HEAD",
        "POST|/v1/users/u0|GET, HEAD",
        "GET|/v1/events|POST",
        "DELETE|/inspector.js|GET, HEAD"
      })
  void wrongMethod_namesAllowedMethods(String method, String path, String allow) {
    Http.Reply r = Http.method(method, s.url(path));
    assertProblem(r, 405);
    assertEquals(allow, r.header("Allow"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/health", "/ready", "/metrics", "/v1/users?sample=2", "/"})
  void head_onGetRoute_isAnsweredWithoutBody(String path) {
    Http.Reply r = Http.method("HEAD", s.url(path));
    assertEquals(200, r.status());
    assertEquals("", r.raw().body());
  }

  @Test
  void requestLineTooLong_is414Problem() {
    assertProblem(Http.get(s.url("/v1/recommendations/u0?pad=" + "a".repeat(10_000))), 414);
  }

  @Test
  void headersTooLarge_is431Problem() {
    assertProblem(Http.get(s.url("/health"), "x".repeat(20_000)), 431);
  }
}
