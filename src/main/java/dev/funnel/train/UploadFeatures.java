package dev.funnel.train;

import dev.funnel.data.Video;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What is known about each video when it is uploaded (topic, channel, language), as rows of side
 * tables whose sum with the video's own id row is its vector in training ({@link VideoTable}).
 * Videos with few or no watches then still get a vector from the watches of their topic, channel
 * and language. Row 0 of every side table means "none" (an input table's padding row).
 *
 * @param names the features, in order
 * @param rows rows[f][v] is the side-table row of feature f for dense video v (≥ 1)
 * @param sizes rows of each side table, row 0 included
 */
record UploadFeatures(String[] names, int[][] rows, int[] sizes) {

  /** No side features: video vectors are id embeddings only (the paper). */
  static UploadFeatures none() {
    return new UploadFeatures(new String[0], new int[0][], new int[0]);
  }

  static UploadFeatures of(List<Video> videos) {
    String[] names = {"topic", "channel", "language"};
    int n = videos.size();
    int[][] rows = new int[names.length][n];
    int[] sizes = new int[names.length];
    for (int f = 0; f < names.length; f++) {
      Map<String, Integer> index = new HashMap<>();
      for (int v = 0; v < n; v++) {
        Video video = videos.get(v);
        String value =
            switch (f) {
              case 0 -> video.topic();
              case 1 -> video.channel();
              default -> video.language();
            };
        rows[f][v] = index.computeIfAbsent(value == null ? "" : value, k -> index.size() + 1);
      }
      sizes[f] = index.size() + 1;
    }
    return new UploadFeatures(names, rows, sizes);
  }

  int count() {
    return names.length;
  }
}
