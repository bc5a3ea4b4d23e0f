package dev.funnel.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.features.UserProfile;
import dev.funnel.models.VideoCatalog;
import dev.funnel.testing.FunnelServerExtension;
import dev.funnel.testing.FunnelServerExtension.RunningServer;
import dev.funnel.testing.Http;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The read-only user endpoints and the inspector's static files, over real HTTP and Redis. */
@ExtendWith(FunnelServerExtension.class)
class UsersApiTest {
  private final RunningServer s;
  private final VideoCatalog catalog;

  UsersApiTest(RunningServer s) {
    this.s = s;
    this.catalog = s.world.bundle.catalog();
  }

  @Test
  void getUser_storedUser_returnsProfileWithHistoryNewestFirst() {
    UserProfile user =
        s.world.profiles.stream().filter(p -> p.history().size() >= 5).findFirst().orElseThrow();
    Http.Reply r = Http.get(s.url("/v1/users/" + user.userId()));
    assertEquals(200, r.status(), r.raw().body());
    assertTrue(r.contentType().startsWith("application/json"));
    JsonObject body = r.json();
    assertEquals(user.userId(), body.getString("user"));
    assertEquals(user.geo(), body.getString("geo"));
    assertEquals(user.age(), body.getInteger("age"));
    JsonArray history = body.getJsonArray("history");
    assertEquals(user.history().size(), history.size());
    UserProfile.Watched newest = user.history().get(user.history().size() - 1);
    JsonObject first = history.getJsonObject(0);
    assertEquals(newest.video(), first.getString("video"));
    assertEquals(newest.ts(), first.getLong("ts"));
    int dense = catalog.index(newest.video());
    assertEquals(catalog.title(dense), first.getString("title"));
    assertEquals(catalog.topic(dense), first.getString("topic"));
    assertEquals(user.searchTokens(), body.getJsonArray("searches").getList());
  }

  @Test
  void getUser_unknownUser_is404Problem() {
    ErrorResponsesApiTest.assertProblem(Http.get(s.url("/v1/users/no-such-user-7")), 404);
  }

  @Test
  void getUser_unknownParameter_is400Problem() {
    ErrorResponsesApiTest.assertProblem(Http.get(s.url("/v1/users/u1?explain=true")), 400);
  }

  @Test
  void sampleUsers_defaultSize_returnsTwentyStoredUsers() {
    Http.Reply r = Http.get(s.url("/v1/users"));
    assertEquals(200, r.status(), r.raw().body());
    JsonArray users = r.json().getJsonArray("users");
    Set<String> stored =
        s.world.profiles.stream().map(UserProfile::userId).collect(Collectors.toSet());
    assertEquals(Math.min(20, stored.size()), users.size());
    for (Object u : users) {
      assertTrue(stored.contains((String) u), u + " is not a stored user");
    }
    assertEquals(users.size(), Set.copyOf(users.getList()).size(), "no duplicates");
  }

  @Test
  void sampleUsers_sampleThree_returnsThree() {
    assertEquals(3, Http.get(s.url("/v1/users?sample=3")).json().getJsonArray("users").size());
  }

  @ParameterizedTest
  @ValueSource(strings = {"sample=0", "sample=10001", "sample=-1", "sample=x", "count=3"})
  void sampleUsers_badQuery_is400Problem(String query) {
    ErrorResponsesApiTest.assertProblem(Http.get(s.url("/v1/users?" + query)), 400);
  }

  @Test
  void inspector_root_servesTheHtmlPageAndItsAssets() {
    Http.Reply page = Http.get(s.url("/"));
    assertEquals(200, page.status());
    assertTrue(page.contentType().startsWith("text/html"), page.contentType());
    assertTrue(page.raw().body().contains("Funnel inspector"));
    Http.Reply js = Http.get(s.url("/inspector.js"));
    assertEquals(200, js.status());
    assertTrue(js.contentType().contains("javascript"), js.contentType());
    assertEquals(200, Http.get(s.url("/inspector.css")).status());
    // Nothing else under the root is served: the static files are not a catch-all.
    ErrorResponsesApiTest.assertProblem(Http.get(s.url("/index.html.bak")), 404);
    ErrorResponsesApiTest.assertProblem(Http.method("POST", s.url("/nope")), 404);
  }
}
