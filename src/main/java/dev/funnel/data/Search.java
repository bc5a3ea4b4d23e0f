package dev.funnel.data;

/** A search query, as lower-case tokens, issued by a user at ts (epoch seconds). */
public record Search(String user, long ts, String[] tokens) {
  static final String HEADER = "user\tts\ttokens";

  static Search parse(String[] c) {
    return new Search(Tsv.id(c[0]), Long.parseLong(c[1]), Tsv.tokens(c[2]));
  }

  String toRow() {
    return Tsv.clean(user) + '\t' + ts + '\t' + Tsv.joinTokens(tokens);
  }
}
