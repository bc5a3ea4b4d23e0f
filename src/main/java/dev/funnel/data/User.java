package dev.funnel.data;

/**
 * One user and their demographics, as the frontend would know them.
 *
 * @param geo country or region code, e.g. {@code US}; {@code ""} when unknown
 * @param language preferred language code; {@code ""} when unknown
 * @param gender {@code f}, {@code m} or {@code u} (unknown)
 * @param age age in years; 0 when unknown
 */
public record User(String id, String geo, String language, String gender, int age) {
  static final String HEADER = "user\tgeo\tlanguage\tgender\tage";

  static User parse(String[] c) {
    return new User(Tsv.id(c[0]), c[1], c[2], c[3], Integer.parseInt(c[4]));
  }

  String toRow() {
    return String.join(
        "\t",
        Tsv.clean(id),
        Tsv.clean(geo),
        Tsv.clean(language),
        Tsv.clean(gender),
        Integer.toString(age));
  }
}
