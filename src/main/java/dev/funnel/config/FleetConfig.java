package dev.funnel.config;

import java.util.regex.Pattern;

/**
 * A replica's part in a fleet rollout (docs/scale-out.md).
 *
 * @param replicaId this replica's name in the rollout's report; empty = no rollout
 * @param canary whether this replica loads the desired version first and approves it
 * @param pollMs how often the rollout keys are read (a pub/sub message makes it read at once)
 * @param keyPrefix prefix of the rollout keys and of the nudge channel
 */
public record FleetConfig(String replicaId, boolean canary, int pollMs, String keyPrefix) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

  /** True when this replica takes part in a rollout. */
  public boolean enabled() {
    return !replicaId.isEmpty();
  }

  /** The version the canary loads first (set by {@code ./funnel rollout}). */
  public String desiredKey() {
    return keyPrefix + "desired";
  }

  /** The version the canary serves and approves for every other replica. */
  public String approvedKey() {
    return keyPrefix + "approved";
  }

  /**
   * Hash: replica id → its last report (JSON: version, target, state, error, canary, since = when
   * it began serving that version, at = when it reported; epoch ms).
   */
  public String replicasKey() {
    return keyPrefix + "replicas";
  }

  /** Pub/sub channel: a message makes every replica read the keys at once. */
  public String nudgeChannel() {
    return keyPrefix + "nudge";
  }

  /** A replica id or model version: safe as a Redis hash field and as a directory name. */
  public static boolean isName(String s) {
    return s != null && NAME.matcher(s).matches() && !s.contains("..");
  }
}
