package dev.funnel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.funnel.app.LocalRedisServer;
import dev.funnel.quality.HttpReplay;
import dev.funnel.quality.LeaveLastOutSplit;
import dev.funnel.testing.TestWorld;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * The leave-last-out replay through a real server (private redis-server, loopback HTTP) against the
 * in-process predictors, on the tiny world's model: the same lists, so the HTTP figures measure the
 * served path and nothing else.
 */
class HttpReplayTest {

  @Test
  void replay_tinyWorld_servedListsEqualTheInProcessOnes() throws Exception {
    assumeTrue(
        LocalRedisServer.findExecutable().isPresent(), "redis-server is not installed: skipped");
    TestWorld w = TestWorld.get();
    LeaveLastOutSplit split = HttpReplay.split(w.data);
    JsonObject r = HttpReplayCommand.replay(split, w.bundle, 0, 60);
    String figures = r.encode();
    assertEquals(60, r.getInteger("users"), figures);
    assertEquals(0, r.getInteger("http_errors"), figures);
    // Same model, profiles, exclusions and clock: only float summation order may differ.
    assertTrue(r.getDouble("identical_lists") >= 0.95, figures);
    assertTrue(r.getDouble("mean_shared@50") >= 49.5, figures);
    assertEquals(
        r.getJsonObject("in_process").getDouble("hit_rate@50"),
        r.getJsonObject("http").getDouble("hit_rate@50"),
        0.02,
        figures);
  }
}
