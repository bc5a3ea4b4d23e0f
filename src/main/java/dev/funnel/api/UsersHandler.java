package dev.funnel.api;

import dev.funnel.config.ServingConfig;
import dev.funnel.features.FeatureStore;
import dev.funnel.features.UserProfile;
import dev.funnel.models.VideoCatalog;
import dev.funnel.pipeline.RecommendPipeline;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Read-only views of stored users, for people (the inspector page), not for the request path:
 *
 * <ul>
 *   <li>{@code GET /v1/users/{userId}}: the stored profile with each watched video's title and
 *       topic, newest first; 404 when the store has no profile.
 *   <li>{@code GET /v1/users?sample=N}: up to N (1..10000, default 20) ids of stored users.
 * </ul>
 *
 * Both read the store on the event loop (one GET, or a few SCANs) and never touch the models.
 */
final class UsersHandler {
  static final int DEFAULT_SAMPLE = 20;

  /** Enough distinct users for a load test (./funnel bench asks for this many). */
  static final int MAX_SAMPLE = 10_000;

  private final RecommendPipeline pipeline;
  private final FeatureStore store;
  private final ServingConfig serving;

  UsersHandler(RecommendPipeline pipeline, FeatureStore store, ServingConfig serving) {
    this.pipeline = pipeline;
    this.store = store;
    this.serving = serving;
  }

  void get(RoutingContext ctx) {
    Validation.onlyParams(ctx.queryParams());
    String user = Validation.id(ctx.pathParam("userId"), "user id");
    store
        .get(user)
        .timeout(serving.deadlineMs(), TimeUnit.MILLISECONDS)
        .onSuccess(
            p -> {
              if (p.isEmpty()) {
                ctx.fail(
                    ApiException.notFound(
                        "no stored profile for user '" + Validation.truncate(user) + "'"));
              } else {
                write(ctx, summary(p.get(), pipeline.model().bundle().catalog()));
              }
            })
        .onFailure(
            e -> ctx.fail(new StoreUnavailableException("the feature store is unavailable", e)));
  }

  void sample(RoutingContext ctx) {
    Validation.onlyParams(ctx.queryParams(), "sample");
    String value = Validation.single(ctx.queryParams(), "sample");
    int n;
    try {
      n = value == null ? DEFAULT_SAMPLE : Validation.count(value, MAX_SAMPLE);
    } catch (ApiException e) {
      throw ApiException.badRequest("sample must be an integer from 1 to " + MAX_SAMPLE);
    }
    store
        .sampleUserIds(n)
        .timeout(serving.deadlineMs(), TimeUnit.MILLISECONDS)
        .onSuccess(
            ids -> {
              List<String> sorted = new ArrayList<>(ids);
              // Natural-ish order: u2 before u10.
              sorted.sort(Comparator.comparingInt(String::length).thenComparing(s -> s));
              write(ctx, new JsonObject().put("users", new JsonArray(sorted)));
            })
        .onFailure(
            e -> ctx.fail(new StoreUnavailableException("the feature store is unavailable", e)));
  }

  static JsonObject summary(UserProfile p, VideoCatalog catalog) {
    JsonArray history = new JsonArray();
    List<UserProfile.Watched> watched = p.history();
    for (int i = watched.size() - 1; i >= 0; i--) {
      UserProfile.Watched w = watched.get(i);
      int v = catalog.index(w.video());
      JsonObject item = new JsonObject().put("video", w.video()).put("ts", w.ts());
      if (v >= 0) {
        item.put("title", catalog.title(v)).put("topic", catalog.topic(v));
      } else {
        item.put("title", null).put("topic", null);
      }
      history.add(item);
    }
    int impressions = 0;
    for (Map.Entry<String, Integer> e : p.impressionCounts().entrySet()) {
      impressions += e.getValue();
    }
    return new JsonObject()
        .put("user", p.userId())
        .put("geo", p.geo())
        .put("language", p.language())
        .put("gender", p.gender())
        .put("age", p.age())
        .put("history", history)
        .put("searches", new JsonArray(p.searchTokens()))
        .put("impressions", impressions);
  }

  private static void write(RoutingContext ctx, JsonObject body) {
    if (ctx.response().closed()) {
      return;
    }
    ctx.response()
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(body.toBuffer());
  }
}
