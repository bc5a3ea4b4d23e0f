package dev.funnel.api;

import dev.funnel.pipeline.Recommendation;
import dev.funnel.metrics.StageTimings;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encoding one 20-item answer to JSON (the event loop's last step). In package {@code
 * dev.funnel.api} because the encoder is package-private.
 *
 * <pre>java -jar target/funnel-bench.jar ResponseEncodingBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ResponseEncodingBenchmark {
  private Recommendation answer;

  @Setup
  public void setUp() {
    List<Recommendation.Item> items = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      items.add(new Recommendation.Item("v" + (123_457 * (i + 1) % 1_000_000), 812.4f / (i + 1)));
    }
    answer =
        new Recommendation(
            "u4242", items, "20261128-190000", false, true, new StageTimings(0, 0, 0, 0, 0, 0));
  }

  @Benchmark
  public Buffer encode() {
    return RecommendationJson.encode(answer, null);
  }
}
