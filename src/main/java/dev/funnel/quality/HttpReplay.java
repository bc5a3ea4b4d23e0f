package dev.funnel.quality;

import dev.funnel.data.Dataset;
import dev.funnel.models.FeatureEncoder;
import dev.funnel.models.ModelBundle;
import dev.funnel.train.ModelVariant;
import dev.funnel.train.TrainOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

/**
 * The leave-last-out replay through a running server instead of in-process predictors: for each
 * evaluated user, {@code POST /v1/recommendations} with the user's id (the server reads the profile
 * the loader stored from the split's training side, i.e. as of the request), {@code count} 50,
 * {@code asOf} the request time (the server's clock and the tower's example age follow it) and
 * {@code exclude} every training watch of the user and every film that did not exist yet. The same
 * users go through {@link FunnelRecommender} with the same model, and both lists are compared.
 */
public final class HttpReplay {
  /** List length: HitRate@50, as the quality report. */
  public static final int COUNT = QualityEvaluation.MAX_K;

  /** The report's leave-last-out protocol (its full plan): 5 held out, at least 10 kept. */
  public static final int HOLDOUT = 5;

  public static final int MIN_TRAIN = 10;

  private HttpReplay() {}

  /** The split every figure here uses. */
  public static LeaveLastOutSplit split(Dataset data) {
    return LeaveLastOutSplit.of(data, HOLDOUT, MIN_TRAIN);
  }

  /** Trains the funnel on the split's training side with {@code ./funnel train}'s defaults. */
  public static Path train(LeaveLastOutSplit split, Path modelsRoot, long seed) throws IOException {
    return QualityEvaluation.trainFunnel(
        split, modelsRoot, TrainOptions.defaults().withSeed(seed), ModelVariant.standard());
  }

  /**
   * Replays the split's evaluated users through {@code baseUrl} and in-process with {@code bundle}.
   *
   * @param users at most this many evaluated users (the first ones), all when ≤ 0
   * @return {"users", "http": metrics, "in_process": metrics, "hit_rate@50_95": per side,
   *     "identical_lists", "mean_shared@50", "http_errors"}
   */
  public static JsonObject compare(
      LeaveLastOutSplit split, ModelBundle bundle, String baseUrl, int users)
      throws IOException, InterruptedException {
    Dataset train = split.train();
    ItemAvailability availability = ItemAvailability.of(split.full());
    int[] evaluated = split.evaluatedUsers();
    if (users > 0 && users < evaluated.length) {
      evaluated = Arrays.copyOf(evaluated, users);
    }
    int[][] trainItems = split.trainItems();
    int videos = train.videos().size();
    TopKMetrics http = new TopKMetrics(videos);
    TopKMetrics local = new TopKMetrics(videos);
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    boolean[] excluded = new boolean[videos];
    int identical = 0;
    double shared = 0;
    int errors = 0;
    long started = System.nanoTime();
    Profiles profiles = new Profiles(train);
    try (FunnelRecommender inProcess =
        new FunnelRecommender(bundle, profiles, split.requestTs(), FeatureEncoder.HISTORY, true)) {
      for (int u : evaluated) {
        long ts = split.requestTs()[u];
        for (int v : trainItems[u]) {
          excluded[v] = true;
        }
        int[] missing = availability.markMissing(ts, excluded);
        JsonArray exclude = new JsonArray();
        for (int v = 0; v < videos; v++) {
          if (excluded[v]) {
            exclude.add(train.videos().get(v).id());
          }
        }
        int[] mine = inProcess.recommend(u, COUNT, excluded);
        ItemAvailability.unmark(missing, excluded);
        for (int v : trainItems[u]) {
          excluded[v] = false;
        }
        JsonObject body =
            new JsonObject()
                .put("user", train.users().get(u).id())
                .put("count", COUNT)
                .put("exclude", exclude)
                .put("asOf", ts);
        HttpResponse<String> r =
            client.send(
                HttpRequest.newBuilder(URI.create(baseUrl + "/v1/recommendations"))
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        int[] served = new int[0];
        if (r.statusCode() == 200) {
          JsonArray items = new JsonObject(r.body()).getJsonArray("items");
          served = new int[items.size()];
          for (int i = 0; i < served.length; i++) {
            served[i] = train.videoIndex(items.getJsonObject(i).getString("video"));
          }
        } else {
          errors++;
        }
        http.add(served, split.heldOut()[u]);
        local.add(mine, split.heldOut()[u]);
        identical += Arrays.equals(served, mine) ? 1 : 0;
        shared += sharedCount(served, mine);
      }
    }
    int n = Math.max(1, evaluated.length);
    JsonObject h = http.toJson().put("per_user", http.perUser());
    JsonObject l = local.toJson().put("per_user", local.perUser());
    return new JsonObject()
        .put("users", evaluated.length)
        .put("count", COUNT)
        .put("http", withoutPerUser(h))
        .put("in_process", withoutPerUser(l))
        .put("http_hit_rate@50_95", interval(h))
        .put("in_process_hit_rate@50_95", interval(l))
        .put("identical_lists", TopKMetrics.round((double) identical / n))
        .put("mean_shared@50", TopKMetrics.round(shared / n))
        .put("http_errors", errors)
        .put("seconds", TopKMetrics.round((System.nanoTime() - started) / 1e9));
  }

  private static JsonArray interval(JsonObject metrics) {
    double[] values =
        Claim.perUser(new JsonArray().add(metrics.copy().put("method", "m")), "m", "hit_rate@50");
    Bootstrap.Interval i = Bootstrap.mean(values, 11L);
    return new JsonArray().add(TopKMetrics.round(i.low())).add(TopKMetrics.round(i.high()));
  }

  private static JsonObject withoutPerUser(JsonObject metrics) {
    JsonObject out = metrics.copy();
    out.remove("per_user");
    return out;
  }

  private static int sharedCount(int[] a, int[] b) {
    int n = 0;
    for (int x : a) {
      for (int y : b) {
        if (x == y) {
          n++;
          break;
        }
      }
    }
    return n;
  }
}
