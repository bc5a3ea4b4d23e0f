package dev.funnel.testing;

import dev.funnel.config.FunnelConfig;
import java.util.HashMap;
import java.util.Map;

/** Configurations for the servers that tests start. */
public final class TestConfig {
  private TestConfig() {}

  /**
   * A free port and one HTTP instance, then the given keys and values in pairs (which may override
   * those two), as if given as flags.
   */
  public static FunnelConfig server(String... keysAndValues) {
    if (keysAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("keys and values come in pairs");
    }
    Map<String, String> flags = new HashMap<>(Map.of("http.port", "0", "http.instances", "1"));
    for (int i = 0; i < keysAndValues.length; i += 2) {
      flags.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return FunnelConfig.load(null, Map.of(), flags);
  }
}
