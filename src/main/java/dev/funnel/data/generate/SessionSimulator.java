package dev.funnel.data.generate;

import java.util.Arrays;

/**
 * Plays the users' sessions of one time slice. A session opens on the home page, where the system
 * shows a slate (popular, on-interest and random videos); each is clicked with a probability that
 * grows with the user's affinity for its topic, a language match and its current popularity, and
 * falls when it was shown before or watched already. Then the user picks a topic (by interest,
 * sometimes exploring), sometimes searches for it, and watches a chain of videos of that topic,
 * drawn by popularity × freshness, mostly in their language, sometimes the next video of the same
 * channel. Watch time depends on affinity, language and duration.
 *
 * <p>All randomness of a user in a slice comes from one stream seeded by (seed, user, slice), so
 * the output is a pure function of the options.
 */
final class SessionSimulator {
  static final long SLICE = 6 * 3600;

  /** Activity by quarter of the (UTC) day: evenings are busy. */
  private static final double[] DIURNAL = {0.5, 0.7, 1.2, 1.6};

  static final double EXPLORE = 0.1;
  static final double SEARCH = 0.25;
  static final double TOPIC_SWITCH = 0.12;
  static final double SAME_CHANNEL = 0.2;
  static final double SUBSCRIPTION = 0.2;

  /** Probability of looking for a video in one's own language first. */
  static final double LANGUAGE_LOYALTY = 0.85;

  static final double CHAIN_MEAN = 4.0;
  static final double DRIFT_PER_DAY = 0.01;

  /** Expected watches per session (chain plus slate clicks), used to set the session rate. */
  static final double WATCHES_PER_SESSION = 5.5;

  private final World w;
  private final Population p;
  private final VideoSampler sampler;
  private final Events.Watches watches;
  private final Events.Impressions impressions;
  private final Events.Searches searches;
  private final Rng rng = new Rng(0);
  private final int[] slate;
  private final boolean[] clicked;
  private final float[] slateSeconds;
  private final int[] tokens = new int[Events.Searches.MAX_TOKENS];
  private long[] starts = new long[8];

  SessionSimulator(
      World w,
      Population p,
      VideoSampler sampler,
      Events.Watches watches,
      Events.Impressions impressions,
      Events.Searches searches) {
    this.w = w;
    this.p = p;
    this.sampler = sampler;
    this.watches = watches;
    this.impressions = impressions;
    this.searches = searches;
    int s = w.options.slateSize();
    slate = new int[s];
    clicked = new boolean[s];
    slateSeconds = new float[s];
  }

  /** Simulates every user's sessions that start in [sliceStart, sliceStart + SLICE). */
  void slice(int slice, long sliceStart) {
    double sliceDays = SLICE / (double) World.DAY;
    double diurnal = DIURNAL[(int) (((sliceStart - World.START_TS) / SLICE) % DIURNAL.length)];
    for (int u = 0; u < p.users; u++) {
      rng.reseed(w.options.seed(), 7, u, slice);
      if (rng.chance(DRIFT_PER_DAY * sliceDays)) {
        p.drift(u, rng);
      }
      int n = rng.poisson(p.activity[u] * sliceDays * diurnal);
      if (n == 0) {
        continue;
      }
      if (n > starts.length) {
        starts = new long[n];
      }
      for (int i = 0; i < n; i++) {
        starts[i] = sliceStart + rng.nextInt((int) SLICE);
      }
      Arrays.sort(starts, 0, n);
      long busyUntil = Long.MIN_VALUE;
      for (int i = 0; i < n; i++) {
        busyUntil = session(u, Math.max(starts[i], busyUntil + 60));
      }
    }
  }

  /** One session starting at t; returns when it ended. */
  private long session(int u, long t) {
    if (slate.length > 0) {
      t = homePage(u, t);
    }
    int topic = p.sessionTopic(u, rng, EXPLORE);
    if (rng.chance(SEARCH)) {
      int n = 1 + rng.nextInt(Events.Searches.MAX_TOKENS);
      for (int k = 0; k < n; k++) {
        tokens[k] = World.topicWord(topic, zipfWord());
      }
      searches.add(u, t, tokens, n);
      t += 5 + rng.nextInt(30);
    }
    int previous = -1;
    int length = rng.geometric(CHAIN_MEAN);
    for (int i = 0; i < length; i++) {
      if (rng.chance(TOPIC_SWITCH)) {
        topic = p.sessionTopic(u, rng, EXPLORE);
      }
      int v = -1;
      if (previous >= 0 && rng.chance(SAME_CHANNEL)) {
        v = sampler.fromChannel(w.videoChannel[previous], 20, rng);
      } else if (rng.chance(SUBSCRIPTION)) {
        int channel = p.subscribed(u, rng);
        v = channel < 0 ? -1 : sampler.fromChannel(channel, 10, rng);
      }
      if (v >= 0 && p.hasWatched(u, v)) {
        v = -1;
      }
      if (v < 0) {
        v = pickInTopic(u, topic);
      }
      if (v < 0) {
        break;
      }
      float seconds = watchSeconds(u, v);
      watches.add(u, v, t, seconds);
      p.watched(u, v);
      t += (long) seconds + 5 + rng.nextInt(60);
      previous = v;
    }
    return t;
  }

  /** Shows a slate at t, clicks some of it, plays the clicked ones; returns the time after. */
  private long homePage(int u, long t) {
    int size = slate.length;
    int popular = Math.max(1, (size * 3) / 10);
    int random = (size * 2) / 10;
    int shown = 0;
    for (int k = 0; k < size; k++) {
      int v = -1;
      for (int attempt = 0; attempt < 5 && v < 0; attempt++) {
        if (k < popular) {
          v = sampler.popular(rng);
        } else if (k < size - random) {
          v = pickInTopic(u, p.sessionTopic(u, rng, 0));
        } else {
          v = sampler.uniform(rng);
        }
        if (v >= 0 && contains(slate, shown, v)) {
          v = -1;
        }
      }
      if (v >= 0) {
        slate[shown++] = v;
      }
    }
    for (int k = 0; k < shown; k++) {
      int v = slate[k];
      clicked[k] = rng.chance(clickProbability(u, v));
      slateSeconds[k] = clicked[k] ? watchSeconds(u, v) : 0f;
      p.shown(u, v);
      impressions.add(u, v, t, clicked[k], slateSeconds[k]);
    }
    long next = t + 3 + rng.nextInt(15);
    for (int k = 0; k < shown; k++) {
      if (clicked[k]) {
        watches.add(u, slate[k], next, slateSeconds[k]);
        p.watched(u, slate[k]);
        next += (long) slateSeconds[k] + 5 + rng.nextInt(60);
      }
    }
    return next;
  }

  double clickProbability(int u, int v) {
    double logit =
        -3.8
            + 3.0 * p.videoAffinity(u, v)
            + languageTerm(u, v)
            + 0.3 * Math.max(-3, Math.min(3, Math.log(sampler.weight(v) / sampler.meanWeight())))
            - 0.7 * p.timesShown(u, v)
            - (p.hasWatched(u, v) ? 3.0 : 0.0);
    return 1 / (1 + Math.exp(-logit));
  }

  private double languageTerm(int u, int v) {
    int lang = w.videoLanguage[v];
    return lang == p.language[u] ? 1.2 : lang == 0 ? 0.4 : -0.5;
  }

  /**
   * A video of the topic the user has not watched, mostly in their language, drawn by popularity ×
   * freshness; when the popular ones are all watched, any one of the topic; -1 if none is left.
   */
  private int pickInTopic(int u, int topic) {
    int own = p.language[u];
    for (int attempt = 0; attempt < 10; attempt++) {
      int v = rng.chance(LANGUAGE_LOYALTY) ? sampler.inTopic(topic, own, rng) : -1;
      if (v < 0) {
        v = sampler.inTopic(topic, rng);
      }
      if (v < 0) {
        return -1;
      }
      if (!p.hasWatched(u, v)) {
        return v;
      }
    }
    int v = sampler.anyInTopic(topic, own, rng);
    if (v < 0 || p.hasWatched(u, v)) {
      v = sampler.anyInTopic(topic, 0, rng);
    }
    return v < 0 || p.hasWatched(u, v) ? -1 : v;
  }

  /** Seconds watched: a fraction of the duration that grows with affinity and language match. */
  private float watchSeconds(int u, int v) {
    double fraction =
        0.1
            + 0.6 * p.videoAffinity(u, v)
            + (w.videoLanguage[v] == p.language[u] ? 0.1 : 0.0)
            + 0.12 * rng.gaussian();
    if (w.videoDuration[v] > 1200) {
      fraction *= 0.7; // long-form is rarely finished
    }
    fraction = Math.max(0.02, Math.min(1.0, fraction));
    return Math.max(1f, Math.round(w.videoDuration[v] * fraction * 10) / 10f);
  }

  /** Word rank within a topic: the first words of a topic are used most. */
  private int zipfWord() {
    double x = rng.nextDouble();
    return (int) (GeneratorOptions.WORDS_PER_TOPIC * x * x);
  }

  private static boolean contains(int[] a, int n, int v) {
    for (int i = 0; i < n; i++) {
      if (a[i] == v) {
        return true;
      }
    }
    return false;
  }
}
