package dev.funnel.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.funnel.testing.FunnelServerExtension;
import dev.funnel.testing.FunnelServerExtension.RunningServer;
import dev.funnel.testing.Http;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(FunnelServerExtension.class)
class HealthApiTest {
  private final RunningServer s;

  HealthApiTest(RunningServer s) {
    this.s = s;
  }

  @Test
  void health_running_isUp() {
    Http.Reply r = Http.get(s.url("/health"));
    assertEquals(200, r.status());
    assertEquals("UP", r.json().getString("status"));
    assertEquals("redis", r.json().getJsonObject("store").getString("kind"));
    assertEquals(true, r.json().getJsonObject("store").getBoolean("reachable"));
  }

  @Test
  void ready_modelLoadedAndNotDraining_isReady() {
    Http.Reply r = Http.get(s.url("/ready"));
    assertEquals(200, r.status(), r.raw().body());
    assertEquals("READY", r.json().getString("status"));
    assertEquals(s.world.bundle.version(), r.json().getString("model"));
    assertEquals("redis", r.json().getString("store"));
    assertEquals(s.world.bundle.catalog().size(), r.json().getInteger("videos"));
  }
}
