package dev.funnel.data;

/** A user watched a video for some seconds at ts (epoch seconds). */
public record Watch(String user, String video, long ts, float watchSeconds) {
  static final String HEADER = "user\tvideo\tts\twatch_s";

  static Watch parse(String[] c) {
    return new Watch(Tsv.id(c[0]), Tsv.id(c[1]), Long.parseLong(c[2]), Float.parseFloat(c[3]));
  }

  String toRow() {
    return Tsv.clean(user) + '\t' + Tsv.clean(video) + '\t' + ts + '\t' + Tsv.seconds(watchSeconds);
  }
}
