package dev.funnel.train;

import dev.funnel.data.User;
import dev.funnel.models.FeatureEncoder;
import dev.funnel.models.UserInputs;
import dev.funnel.models.Vocabularies;

/**
 * Users' categorical features and search tokens mapped to vocabulary rows once, so that building a
 * training row is array copying only; the numeric encoding itself stays in {@link FeatureEncoder}.
 */
final class EncodedUsers {
  final Timeline timeline;
  final int[] geo;
  final int[] language;
  final int[] gender;
  final int[] age;
  final int[][] tokens;

  /** Most recent watches an example sees (the history-length ablation; 50 by default). */
  final int historyLength;

  EncodedUsers(Timeline timeline, Vocabularies vocabularies) {
    this(timeline, vocabularies, FeatureEncoder.HISTORY);
  }

  EncodedUsers(Timeline timeline, Vocabularies vocabularies, int historyLength) {
    this.timeline = timeline;
    this.historyLength = historyLength;
    int n = timeline.users();
    geo = new int[n];
    language = new int[n];
    gender = new int[n];
    age = new int[n];
    tokens = new int[n][];
    for (int u = 0; u < n; u++) {
      User user = timeline.data().users().get(u);
      geo[u] = vocabularies.geos().row(user.geo());
      language[u] = vocabularies.languages().row(user.language());
      gender[u] = vocabularies.genders().row(user.gender());
      age[u] = user.age();
      tokens[u] = timeline.tokenRows(u, vocabularies.tokens());
    }
  }

  /**
   * Row {@code row} of {@code out}: user u as seen just before time ts, with history ending at
   * watch {@code historyEnd} (exclusive).
   */
  void encode(
      FeatureEncoder encoder,
      int u,
      int historyEnd,
      long ts,
      float exampleAgeSeconds,
      UserInputs out,
      int row) {
    encoder.encodeUser(
        timeline.watchVideo[u],
        Math.max(0, historyEnd - historyLength),
        historyEnd,
        tokens[u],
        0,
        timeline.tokensBefore(u, ts),
        geo[u],
        language[u],
        gender[u],
        age[u],
        exampleAgeSeconds,
        out,
        row);
  }
}
