package dev.funnel.config;

/**
 * @param host interface to bind
 * @param port TCP port, 0 = any free port
 * @param instances HTTP verticle instances (one event loop each), at least 1
 * @param maxBodyBytes largest request body in bytes
 * @param maxHeaderBytes largest request header block in bytes
 * @param adminToken bearer token of the {@code /admin} endpoints; empty = they are off
 * @param drainDelayMs after SIGTERM, how long {@code /ready} answers 503 while requests are still
 *     served, before the server stops accepting
 */
public record HttpConfig(
    String host,
    int port,
    int instances,
    int maxBodyBytes,
    int maxHeaderBytes,
    String adminToken,
    int drainDelayMs) {

  /** True when a token is set, so the admin endpoints exist. */
  public boolean adminEnabled() {
    return !adminToken.isEmpty();
  }

  public HttpConfig withPort(int newPort) {
    return new HttpConfig(
        host, newPort, instances, maxBodyBytes, maxHeaderBytes, adminToken, drainDelayMs);
  }

  /** Never prints the token: this record goes to the start-up log. */
  @Override
  public String toString() {
    return "HttpConfig[host="
        + host
        + ", port="
        + port
        + ", instances="
        + instances
        + ", maxBodyBytes="
        + maxBodyBytes
        + ", maxHeaderBytes="
        + maxHeaderBytes
        + ", admin="
        + (adminEnabled() ? "on" : "off")
        + ", drainDelayMs="
        + drainDelayMs
        + "]";
  }
}
