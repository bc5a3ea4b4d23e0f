package funnel;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Open-model load against a running Funnel server: new virtual users arrive at a constant rate
 * (whatever the server's latency, so no coordinated omission), each asks for one user's
 * recommendations (90%) or for watch-next of a video (10%), and leaves.
 *
 * <p>System properties (all optional): funnel.url (http://127.0.0.1:8080), funnel.rate (200
 * arrivals/s), funnel.duration (60 s), funnel.warmup (10 s at the same rate, not asserted
 * separately), funnel.users (100000: ids u0..u{N-1}), funnel.videos (1000000: v0..v{N-1}),
 * funnel.p99ms (10), funnel.p999ms (25).
 *
 * <p>Assertions: p99 and p99.9 response time of the recommendation requests, and no failed
 * request at all.
 */
public class RecommendationsSimulation extends Simulation {
  private static final String URL = System.getProperty("funnel.url", "http://127.0.0.1:8080");
  private static final double RATE = Double.parseDouble(System.getProperty("funnel.rate", "200"));
  private static final int DURATION = Integer.getInteger("funnel.duration", 60);
  private static final int WARMUP = Integer.getInteger("funnel.warmup", 10);
  private static final int USERS = Integer.getInteger("funnel.users", 100_000);
  private static final int VIDEOS = Integer.getInteger("funnel.videos", 1_000_000);
  private static final int P99_MS = Integer.getInteger("funnel.p99ms", 10);
  private static final int P999_MS = Integer.getInteger("funnel.p999ms", 25);

  private static final Iterator<Map<String, Object>> IDS =
      Stream.generate(
              () -> {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                return Map.<String, Object>of(
                    "user", "u" + r.nextInt(USERS), "video", "v" + r.nextInt(VIDEOS));
              })
          .iterator();

  private final HttpProtocolBuilder protocol =
      http.baseUrl(URL).acceptHeader("application/json").shareConnections();

  private final ScenarioBuilder recommend =
      scenario("recommend")
          .feed(IDS)
          .randomSwitch()
          .on(
              io.gatling.javaapi.core.CoreDsl.percent(90.0)
                  .then(
                      io.gatling.javaapi.core.CoreDsl.exec(
                          http("recommendations")
                              .get("/v1/recommendations/#{user}?count=20")
                              .check(status().is(200), jsonPath("$.items").exists()))),
              io.gatling.javaapi.core.CoreDsl.percent(10.0)
                  .then(
                      io.gatling.javaapi.core.CoreDsl.exec(
                          http("related")
                              .get("/v1/videos/#{video}/related?count=20&user=#{user}")
                              .check(status().in(200, 404)))));

  {
    setUp(
            recommend.injectOpen(
                constantUsersPerSec(RATE).during(WARMUP),
                constantUsersPerSec(RATE).during(DURATION)))
        .protocols(protocol)
        .assertions(
            details("recommendations").responseTime().percentile(99.0).lte(P99_MS),
            details("recommendations").responseTime().percentile(99.9).lte(P999_MS),
            global().failedRequests().count().is(0L));
  }

}
