package dev.funnel.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.funnel.pipeline.RecommendQuery;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RecommendBodyTest {
  private static RecommendQuery parse(String json) {
    return RecommendBody.parse(Buffer.buffer(json), 20, 500);
  }

  @Test
  void parse_fullBody_keepsEveryField() {
    RecommendQuery q =
        parse(
            "{\"user\":\"u7\",\"history\":[\"v1\",\"v2\"],\"count\":5,\"exclude\":[\"v3\"],"
                + "\"context\":{\"geo\":\"US\",\"language\":\"en\",\"gender\":\"f\",\"age\":30,"
                + "\"searches\":[\"Cats\",\"piano\"]}}");
    assertEquals("u7", q.userId());
    assertEquals(List.of("v1", "v2"), q.history());
    assertEquals(5, q.count());
    assertEquals(List.of("v3"), q.exclude());
    assertEquals("US", q.context().geo());
    assertEquals(30, q.context().age());
    assertEquals(List.of("cats", "piano"), q.context().searches());
  }

  @Test
  void parse_asOf_isAReplayAtThatTime_absentIsLive() {
    assertEquals(1_700_000_000L, parse("{\"user\":\"u7\",\"asOf\":1700000000}").asOfTs());
    assertEquals(0L, parse("{\"user\":\"u7\"}").asOfTs());
  }

  @Test
  void parse_emptyObject_isAnonymousWithDefaultCount() {
    RecommendQuery q = parse("{}");
    assertNull(q.userId());
    assertEquals(20, q.count());
    assertEquals(List.of(), q.history());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "{",
        "[]",
        "\"x\"",
        "null",
        "{\"count\":0}",
        "{\"count\":-1}",
        "{\"count\":501}",
        "{\"count\":2.5}",
        "{\"count\":\"20\"}",
        "{\"count\":99999999999999999999}",
        "{\"user\":42}",
        "{\"user\":\"\"}",
        "{\"user\":\"a b\"}",
        "{\"history\":\"v1\"}",
        "{\"history\":[1]}",
        "{\"history\":[\"\"]}",
        "{\"exclude\":{}}",
        "{\"context\":[]}",
        "{\"context\":{\"gender\":\"x\"}}",
        "{\"context\":{\"age\":-3}}",
        "{\"context\":{\"age\":\"30\"}}",
        "{\"context\":{\"searches\":[\"\"]}}",
        "{\"context\":{\"mood\":\"happy\"}}",
        "{\"histroy\":[]}",
        "{\"asOf\":0}",
        "{\"asOf\":-5}",
        "{\"asOf\":\"1700000000\"}",
        "{\"asOf\":1.7e9}",
        "{\"asOf\":4102444801}"
      })
  void parse_badBody_is400(String body) {
    ApiException e = assertThrows(ApiException.class, () -> parse(body));
    assertEquals(400, e.status());
  }

  @Test
  void id_tooLong_is400() {
    assertThrows(ApiException.class, () -> Validation.id("x".repeat(129), "user"));
    assertEquals("x".repeat(128), Validation.id("x".repeat(128), "user"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-1", "501", "abc", "1.5", "+5", " 5", "", "99999999999"})
  void count_badValue_is400(String value) {
    assertThrows(ApiException.class, () -> Validation.count(value, 500));
  }
}
