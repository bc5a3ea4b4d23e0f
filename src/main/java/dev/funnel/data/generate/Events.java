package dev.funnel.data.generate;

import dev.funnel.data.DatasetWriter;
import dev.funnel.data.Impression;
import dev.funnel.data.Search;
import dev.funnel.data.Watch;
import java.util.Arrays;

/** The three event buffers of the generator, one per dataset file. */
final class Events {
  private Events() {}

  static String userId(int u) {
    return "u" + u;
  }

  static String videoId(int v) {
    return "v" + v;
  }

  static final class Watches extends EventBuffer {
    private int[] video = new int[1024];
    private float[] seconds = new float[1024];

    void add(int u, int v, long t, float s) {
      int i = append(u, t);
      video[i] = v;
      seconds[i] = s;
    }

    @Override
    protected void growColumns(int capacity) {
      video = Arrays.copyOf(video, capacity);
      seconds = Arrays.copyOf(seconds, capacity);
    }

    @Override
    protected void moveColumns(int from, int to) {
      video[to] = video[from];
      seconds[to] = seconds[from];
    }

    @Override
    protected void write(int i, DatasetWriter out) {
      out.watch(new Watch(userId(user[i]), videoId(video[i]), ts[i], seconds[i]));
    }
  }

  static final class Impressions extends EventBuffer {
    private int[] video = new int[1024];
    private float[] seconds = new float[1024];
    private boolean[] clicked = new boolean[1024];
    private long clicks;

    void add(int u, int v, long t, boolean click, float s) {
      int i = append(u, t);
      video[i] = v;
      clicked[i] = click;
      seconds[i] = s;
    }

    long clicks() {
      return clicks;
    }

    @Override
    protected void growColumns(int capacity) {
      video = Arrays.copyOf(video, capacity);
      seconds = Arrays.copyOf(seconds, capacity);
      clicked = Arrays.copyOf(clicked, capacity);
    }

    @Override
    protected void moveColumns(int from, int to) {
      video[to] = video[from];
      seconds[to] = seconds[from];
      clicked[to] = clicked[from];
    }

    @Override
    protected void write(int i, DatasetWriter out) {
      if (clicked[i]) {
        clicks++;
      }
      out.impression(
          new Impression(userId(user[i]), videoId(video[i]), ts[i], clicked[i], seconds[i]));
    }
  }

  /** Queries of up to three tokens, packed 16 bits each (the vocabulary is at most 50,000). */
  static final class Searches extends EventBuffer {
    static final int MAX_TOKENS = 3;
    private long[] packed = new long[1024];
    private final String[] words;

    Searches(String[] words) {
      this.words = words;
    }

    void add(int u, long t, int[] tokens, int n) {
      long p = n;
      for (int k = 0; k < n; k++) {
        p |= ((long) tokens[k]) << (16 * (k + 1));
      }
      int i = append(u, t); // before reading the field: append may replace the array
      packed[i] = p;
    }

    @Override
    protected void growColumns(int capacity) {
      packed = Arrays.copyOf(packed, capacity);
    }

    @Override
    protected void moveColumns(int from, int to) {
      packed[to] = packed[from];
    }

    @Override
    protected void write(int i, DatasetWriter out) {
      long p = packed[i];
      int n = (int) (p & 0xFFFF);
      String[] tokens = new String[n];
      for (int k = 0; k < n; k++) {
        tokens[k] = words[(int) ((p >>> (16 * (k + 1))) & 0xFFFF)];
      }
      out.search(new Search(userId(user[i]), ts[i], tokens));
    }
  }
}
