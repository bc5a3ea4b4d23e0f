package dev.funnel.data;

import dev.funnel.models.VideoCatalog;

/**
 * One video of the catalogue.
 *
 * @param topic the main topic label (synthetic: {@code t7}; MovieLens: first genre)
 * @param language ISO-like language code, e.g. {@code en}
 * @param durationSeconds length of the video in seconds
 * @param uploadTs upload time, epoch seconds
 * @param tokens lower-case words describing the video (topic words, genres, tags)
 */
public record Video(
    String id,
    String topic,
    String language,
    String channel,
    int durationSeconds,
    long uploadTs,
    String title,
    String[] tokens)
    implements VideoCatalog.Row {
  static final String HEADER =
      "video\ttopic\tlanguage\tchannel\tduration_s\tupload_ts\ttitle\ttokens";

  static Video parse(String[] c) {
    return new Video(
        Tsv.id(c[0]),
        c[1],
        c[2],
        c[3],
        Integer.parseInt(c[4]),
        Long.parseLong(c[5]),
        c[6],
        Tsv.tokens(c[7]));
  }

  String toRow() {
    return String.join(
        "\t",
        Tsv.clean(id),
        Tsv.clean(topic),
        Tsv.clean(language),
        Tsv.clean(channel),
        Integer.toString(durationSeconds),
        Long.toString(uploadTs),
        Tsv.clean(title),
        Tsv.joinTokens(tokens));
  }
}
