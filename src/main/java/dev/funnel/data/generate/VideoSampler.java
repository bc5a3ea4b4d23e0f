package dev.funnel.data.generate;

/**
 * Draws videos the way a world at time {@code now} would surface them: among videos already
 * uploaded, proportionally to base popularity × freshness, where freshness decays exponentially
 * with age to a floor. This decay is what makes the paper's "example age" effect visible: a video
 * is watched most in its first days. Rebuilt once per time slice ({@link #advance}); between
 * rebuilds a draw is one binary search.
 */
final class VideoSampler {
  /** Freshness time constant: a video's pull halves in about two days. */
  static final double FRESH_DAYS = 3.0;

  /** Freshness floor: old videos keep 5 % of the pull of a brand-new one. */
  static final double FLOOR = 0.05;

  private final World w;
  private final int languages;

  /** Cumulative weights over each (topic, language) segment's members, restarting per segment. */
  private final double[] cum;

  private final int[] eligible;

  /** Cumulative segment totals within each topic (restarting per topic): picks a language. */
  private final double[] segmentCum;

  private final double[] topicCum;
  private long now;
  private int uploaded;
  private double meanWeight;

  VideoSampler(World w) {
    this.w = w;
    this.languages = w.languages();
    this.cum = new double[w.memberVideo.length];
    this.eligible = new int[w.options.topics() * languages];
    this.segmentCum = new double[eligible.length];
    this.topicCum = new double[w.options.topics()];
  }

  /** Recomputes the weights as of {@code now}: only videos uploaded before it can be drawn. */
  void advance(long now) {
    this.now = now;
    double total = 0;
    double mainTotal = 0;
    for (int t = 0; t < topicCum.length; t++) {
      double topicTotal = 0;
      for (int s = t * languages; s < (t + 1) * languages; s++) {
        int from = w.segmentStart[s];
        int n = World.countBefore(w.memberUpload, from, w.segmentStart[s + 1], now);
        eligible[s] = n;
        double sum = 0;
        for (int k = from; k < from + n; k++) {
          double weight = weight(w.memberVideo[k]) * w.memberBoost[k];
          sum += weight;
          cum[k] = sum;
          if (w.memberBoost[k] == 1f) {
            mainTotal += weight;
          }
        }
        topicTotal += sum;
        segmentCum[s] = topicTotal;
      }
      total += topicTotal;
      topicCum[t] = total;
    }
    uploaded = World.countBefore(w.byUploadTs, 0, w.byUploadTs.length, now);
    meanWeight = uploaded == 0 ? 1 : mainTotal / uploaded;
  }

  /** Current pull of a video: base popularity × freshness. */
  double weight(int video) {
    double ageDays = (now - w.videoUpload[video]) / (double) World.DAY;
    return w.videoPopularity[video] * (FLOOR + Math.exp(-ageDays / FRESH_DAYS));
  }

  /** Mean {@link #weight} over the videos uploaded so far: the scale for "popular". */
  double meanWeight() {
    return meanWeight;
  }

  /** A video of topic t (main or secondary) in any language, or -1 when none is uploaded yet. */
  int inTopic(int t, Rng rng) {
    int from = t * languages;
    if (segmentCum[from + languages - 1] <= 0) {
      return -1;
    }
    return inSegment(
        Sampling.pickSegment(segmentCum, from, from + languages, rng.nextDouble()), rng);
  }

  /** A video of topic t in language l, or -1 when there is none yet. */
  int inTopic(int t, int l, Rng rng) {
    return inSegment(t * languages + l, rng);
  }

  /** Uniformly among the uploaded videos of topic t in language l (ignoring popularity), or -1. */
  int anyInTopic(int t, int l, Rng rng) {
    int s = t * languages + l;
    return eligible[s] == 0 ? -1 : w.memberVideo[w.segmentStart[s] + rng.nextInt(eligible[s])];
  }

  private int inSegment(int s, Rng rng) {
    int n = eligible[s];
    if (n == 0) {
      return -1;
    }
    int from = w.segmentStart[s];
    return w.memberVideo[Sampling.pickSegment(cum, from, from + n, rng.nextDouble())];
  }

  /** A video drawn by popularity × freshness over the whole catalogue (the "trending" shelf). */
  int popular(Rng rng) {
    if (topicCum[topicCum.length - 1] <= 0) {
      return -1;
    }
    return inTopic(Sampling.pick(topicCum, rng.nextDouble()), rng);
  }

  /** Any uploaded video, uniformly (exploration slots of the slate). */
  int uniform(Rng rng) {
    return uploaded == 0 ? -1 : w.byUpload[rng.nextInt(uploaded)];
  }

  /**
   * One of the channel's {@code latest} most recent uploads, uniformly (the subscription feed and
   * "more from this channel"), or -1 when it has uploaded nothing yet.
   */
  int fromChannel(int channel, int latest, Rng rng) {
    int from = w.channelStart[channel];
    int n = World.countBefore(w.channelUpload, from, w.channelStart[channel + 1], now);
    int k = Math.min(n, latest);
    return k == 0 ? -1 : w.channelVideo[from + n - 1 - rng.nextInt(k)];
  }
}
