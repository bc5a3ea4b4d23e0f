package dev.funnel.data;

/** A video shown to a user at ts; if clicked, how many seconds were watched (else 0). */
public record Impression(String user, String video, long ts, boolean clicked, float watchSeconds) {
  static final String HEADER = "user\tvideo\tts\tclicked\twatch_s";

  static Impression parse(String[] c) {
    String clicked = c[3];
    if (!clicked.equals("0") && !clicked.equals("1")) {
      throw new IllegalArgumentException("clicked must be 0 or 1, got '" + clicked + "'");
    }
    return new Impression(
        Tsv.id(c[0]),
        Tsv.id(c[1]),
        Long.parseLong(c[2]),
        clicked.equals("1"),
        Float.parseFloat(c[4]));
  }

  String toRow() {
    return Tsv.clean(user)
        + '\t'
        + Tsv.clean(video)
        + '\t'
        + ts
        + '\t'
        + (clicked ? '1' : '0')
        + '\t'
        + Tsv.seconds(watchSeconds);
  }
}
