package dev.funnel.models;

/**
 * The videos a model version knows, with dense ids 0..size()-1 (the rows of the video vectors)
 * and the metadata serving needs (language and upload time for the ranker, topic and title for
 * people). Immutable and thread-safe.
 */
public final class VideoCatalog {
  // Filled in by the models work: see ModelBundle.
  public int size() {
    throw new UnsupportedOperationException("VideoCatalog: not built yet");
  }

  /** Dense id of a video, or -1 when the model does not know it. */
  public int index(String videoId) {
    throw new UnsupportedOperationException("VideoCatalog: not built yet");
  }

  public String id(int dense) {
    throw new UnsupportedOperationException("VideoCatalog: not built yet");
  }

  public String topic(int dense) {
    throw new UnsupportedOperationException("VideoCatalog: not built yet");
  }

  public String language(int dense) {
    throw new UnsupportedOperationException("VideoCatalog: not built yet");
  }

  public long uploadTs(int dense) {
    throw new UnsupportedOperationException("VideoCatalog: not built yet");
  }

  public String title(int dense) {
    throw new UnsupportedOperationException("VideoCatalog: not built yet");
  }
}
