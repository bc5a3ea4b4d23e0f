package dev.funnel.features;

/**
 * Key names in Redis. Standalone and sentinel keep the readable names {@code <prefix><user>} and
 * {@code <eventPrefix><id>}. Cluster mode wraps the user in a hash tag, {@code <prefix>{<user>}}
 * and {@code <eventPrefix>{<user>}:<id>}, so that one user's profile and event-id markers hash to
 * one slot and the event transaction (WATCH on both) runs on one node. The prefixes hold no braces
 * (checked by the configuration), so the tag is always the user id.
 *
 * @param prefix prefix of the profile keys
 * @param eventPrefix prefix of the event-id keys
 * @param hashTagged whether keys carry the user id as a cluster hash tag
 */
record RedisKeys(String prefix, String eventPrefix, boolean hashTagged) {

  String profile(String userId) {
    return hashTagged ? prefix + '{' + userId + '}' : prefix + userId;
  }

  /** The marker of an applied event id; in cluster mode scoped to the user, see the class doc. */
  String event(String userId, String eventId) {
    return hashTagged ? eventPrefix + '{' + userId + "}:" + eventId : eventPrefix + eventId;
  }

  /** The user id of a profile key that SCAN returned under {@link #prefix}. */
  String userOf(String profileKey) {
    String rest = profileKey.substring(prefix.length());
    return hashTagged ? rest.substring(1, rest.length() - 1) : rest;
  }

  /** SCAN MATCH pattern for every profile key. */
  String profilePattern() {
    return globEscape(prefix) + (hashTagged ? "{*}" : "*");
  }

  private static String globEscape(String s) {
    StringBuilder b = new StringBuilder(s.length() + 4);
    for (char c : s.toCharArray()) {
      if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
        b.append('\\');
      }
      b.append(c);
    }
    return b.toString();
  }
}
