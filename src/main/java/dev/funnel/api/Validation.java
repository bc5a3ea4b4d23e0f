package dev.funnel.api;

import io.vertx.core.MultiMap;
import java.util.List;

/**
 * Checks on values that arrive in paths and query strings. Every failure is an {@link ApiException}
 * with status 400 and a message that says what was wrong and what is accepted.
 */
final class Validation {
  static final int MAX_ID_LENGTH = 128;

  private Validation() {}

  /**
   * A user or video id: 1..128 characters, none of them whitespace or control characters.
   *
   * @param what the name used in the message, e.g. {@code user id}
   */
  static String id(String value, String what) {
    if (value == null || value.isEmpty()) {
      throw ApiException.badRequest(what + " must not be empty");
    }
    if (value.length() > MAX_ID_LENGTH) {
      throw ApiException.badRequest(what + " must be at most " + MAX_ID_LENGTH + " characters");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isISOControl(c) || Character.isWhitespace(c)) {
        throw ApiException.badRequest(what + " must be printable, without spaces");
      }
    }
    return value;
  }

  /** The {@code count} query parameter: absent = the default; otherwise one integer 1..max. */
  static int count(MultiMap query, int defaultCount, int maxCount) {
    List<String> values = query.getAll("count");
    if (values.isEmpty()) {
      return defaultCount;
    }
    if (values.size() > 1) {
      throw ApiException.badRequest("count must be given once");
    }
    return count(values.get(0), maxCount);
  }

  static int count(String value, int maxCount) {
    // Digits only: no sign, no spaces, no decimals; at most 9 so that parsing cannot overflow.
    if (value.isEmpty()
        || value.length() > 9
        || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw ApiException.badRequest("count must be an integer from 1 to " + maxCount);
    }
    return countInRange(Integer.parseInt(value), maxCount);
  }

  static int countInRange(long n, int maxCount) {
    if (n < 1 || n > maxCount) {
      throw ApiException.badRequest("count must be an integer from 1 to " + maxCount);
    }
    return (int) n;
  }

  /** An optional single-valued query parameter; null when absent. */
  static String single(MultiMap query, String name) {
    List<String> values = query.getAll(name);
    if (values.isEmpty()) {
      return null;
    }
    if (values.size() > 1) {
      throw ApiException.badRequest(name + " must be given once");
    }
    return values.get(0);
  }

  /**
   * An optional boolean query parameter: absent = false; otherwise {@code true} or {@code false}.
   */
  static boolean flag(MultiMap query, String name) {
    String value = single(query, name);
    if (value == null || value.equals("false")) {
      return false;
    }
    if (value.equals("true")) {
      return true;
    }
    throw ApiException.badRequest(name + " must be true or false");
  }

  /** Rejects query parameters other than the allowed ones (a typo must not be ignored). */
  static void onlyParams(MultiMap query, String... allowed) {
    for (String name : query.names()) {
      if (!List.of(allowed).contains(name)) {
        throw ApiException.badRequest(
            "unknown query parameter '"
                + truncate(name)
                + "' (allowed: "
                + String.join(", ", allowed)
                + ")");
      }
    }
  }

  static String truncate(String s) {
    String clean = s.replaceAll("\\p{Cntrl}", "?");
    return clean.length() <= 40 ? clean : clean.substring(0, 40) + "…";
  }
}
