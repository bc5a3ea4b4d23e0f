package dev.funnel.data;

import java.util.Arrays;

/** Small helpers for the dataset's tab-separated files. */
final class Tsv {
  private static final String[] NO_TOKENS = new String[0];

  private Tsv() {}

  static String id(String s) {
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty id");
    }
    return s;
  }

  /** Tabs and newlines would break the row; free text gets them replaced by spaces. */
  static String clean(String s) {
    return s == null ? "" : s.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
  }

  static String[] tokens(String s) {
    String trimmed = s.trim();
    return trimmed.isEmpty() ? NO_TOKENS : trimmed.split(" +");
  }

  static String joinTokens(String[] tokens) {
    return String.join(" ", Arrays.stream(tokens).map(Tsv::clean).toList());
  }

  /** Watch seconds with one decimal: enough precision, half the bytes of a full float. */
  static String seconds(float s) {
    return Float.toString(Math.round(s * 10f) / 10f);
  }
}
