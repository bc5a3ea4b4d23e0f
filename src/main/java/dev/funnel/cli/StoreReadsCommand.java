package dev.funnel.cli;

import dev.funnel.config.ConfigException;
import dev.funnel.config.FunnelConfig;
import dev.funnel.features.FeatureStore;
import dev.funnel.features.RedisFeatureStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./funnel store-reads}: N profile reads through the configured store with many more in
 * flight than pooled connections (each of {@code --in-flight} lanes starts its next read when the
 * last one answers). vertx-redis-client 5.0.7 deadlocked in cluster mode under exactly this (issue
 * 13); the drill checks the time it takes.
 */
@Command(
    name = "store-reads",
    mixinStandardHelpOptions = true,
    description =
        "Profile reads through the configured Redis with many in flight on the pool"
            + " (redis.* from --conf, FUNNEL_REDIS_* or --redis); prints a JSON line.")
public final class StoreReadsCommand implements Callable<Integer> {
  @Option(names = "--reads", defaultValue = "20000", description = "Reads in all.")
  int reads;

  @Option(names = "--in-flight", defaultValue = "256", description = "Reads in flight at a time.")
  int inFlight;

  @Option(
      names = "--users",
      defaultValue = "100",
      paramLabel = "N",
      description = "Read users u0..u{N-1} in turn.")
  int users;

  @Option(
      names = "--timeout-s",
      defaultValue = "120",
      description = "Give up (exit 1) after this long: a hang guard.")
  int timeoutS;

  @Option(names = "--redis", paramLabel = "URL", description = "redis://host:port (standalone)")
  String redis;

  @Option(
      names = "--conf",
      paramLabel = "FILE",
      description = "configuration file (default conf/funnel.properties)")
  Path conf;

  @Override
  public Integer call() throws Exception {
    if (reads < 1 || inFlight < 1 || users < 1 || timeoutS < 1) {
      System.err.println("funnel store-reads: every number must be positive");
      return 2;
    }
    FunnelConfig config;
    try {
      Map<String, String> flags = new HashMap<>();
      flags.put("redis.url", redis);
      config = FunnelConfig.load(FunnelConfig.locateFile(conf), System.getenv(), flags);
    } catch (ConfigException e) {
      System.err.println("funnel store-reads: " + e.getMessage());
      return 2;
    }
    if (config.redis().embedded()) {
      System.err.println("funnel store-reads: no Redis configured (--redis or redis.*)");
      return 2;
    }
    Vertx vertx = Vertx.vertx();
    FeatureStore store = RedisFeatureStore.create(vertx, config.redis());
    try {
      store.ping().await(10, TimeUnit.SECONDS);
      JsonObject result =
          run(store, reads, inFlight, users, timeoutS)
              .put("pool_size", config.redis().poolSize())
              .put("store", config.redis().target());
      System.out.println(result.encode());
      return result.getBoolean("finished") && result.getLong("errors") == 0 ? 0 : 1;
    } finally {
      store.close().eventually(vertx::close).await(10, TimeUnit.SECONDS);
    }
  }

  /**
   * {@code {"reads","in_flight","found","absent","errors","finished","seconds"}}; {@code finished}
   * is false when the reads did not all answer within {@code timeoutS}.
   */
  static JsonObject run(FeatureStore store, int reads, int inFlight, int users, int timeoutS)
      throws InterruptedException {
    AtomicInteger started = new AtomicInteger();
    AtomicInteger found = new AtomicInteger();
    AtomicInteger absent = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    long t0 = System.nanoTime();
    List<Future<Void>> lanes = new ArrayList<>();
    for (int lane = 0; lane < Math.min(inFlight, reads); lane++) {
      Promise<Void> done = Promise.promise();
      next(store, reads, users, started, found, absent, errors, done);
      lanes.add(done.future());
    }
    boolean finished;
    try {
      Future.all(lanes).await(timeoutS, TimeUnit.SECONDS);
      finished = true;
    } catch (java.util.concurrent.TimeoutException e) {
      finished = false;
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    return new JsonObject()
        .put("reads", reads)
        .put("in_flight", inFlight)
        .put("found", found.get())
        .put("absent", absent.get())
        .put("errors", errors.get())
        .put("finished", finished)
        .put("seconds", Math.round(seconds * 1000) / 1000.0);
  }

  // One lane: a read, then the next, until every read has started. A failed read counts and the
  // lane goes on.
  private static void next(
      FeatureStore store,
      int reads,
      int users,
      AtomicInteger started,
      AtomicInteger found,
      AtomicInteger absent,
      AtomicInteger errors,
      Promise<Void> done) {
    int i = started.getAndIncrement();
    if (i >= reads) {
      done.tryComplete();
      return;
    }
    store
        .get("u" + (i % users))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                errors.incrementAndGet();
              } else if (ar.result().isPresent()) {
                found.incrementAndGet();
              } else {
                absent.incrementAndGet();
              }
              next(store, reads, users, started, found, absent, errors, done);
            });
  }
}
