package dev.funnel.app;

import dev.funnel.features.FeatureStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;

/**
 * What a start can check in milliseconds, before the seconds of loading a model: whether the port
 * is free and whether the feature store answers. Each returns null when all is well, else one
 * sentence for the operator that names what is wrong.
 */
public final class StartupChecks {
  private StartupChecks() {}

  /** A problem binding host:port now; null when it binds (port 0 = any free port: always null). */
  public static String portProblem(String host, int port) {
    if (port == 0) {
      return null;
    }
    try (ServerSocket socket = new ServerSocket()) {
      // As the server will bind it: SO_REUSEADDR on, so a port in TIME_WAIT is not "taken".
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
      return null;
    } catch (IOException e) {
      return "cannot listen on "
          + host
          + ":"
          + port
          + " ("
          + e.getMessage()
          + "): another process holds the port; choose another with --port or http.port";
    }
  }

  /**
   * A problem reaching the store: no answer to a ping within {@code timeoutMs}; null if it answers.
   */
  public static String storeProblem(FeatureStore store, String where, long timeoutMs) {
    try {
      store
          .ping()
          .timeout(timeoutMs, TimeUnit.MILLISECONDS)
          .await(timeoutMs + 1000, TimeUnit.MILLISECONDS);
      return null;
    } catch (Exception e) {
      return "the feature store ("
          + store.kind()
          + " at "
          + where
          + ") does not answer: "
          + e.getMessage();
    }
  }
}
