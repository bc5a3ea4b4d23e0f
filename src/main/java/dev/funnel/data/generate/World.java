package dev.funnel.data.generate;

import java.util.Arrays;

/**
 * The static catalogue of a synthetic world: topics with their words, channels that specialise in a
 * topic and a language, and videos with a main (sometimes a secondary) topic, a language, a
 * duration, an upload time and a power-law base popularity. Everything is primitive arrays indexed
 * by dense id, plus the orderings the samplers need (members of each topic and of each channel,
 * sorted by upload time, so that "uploaded before t" is a prefix found by binary search).
 */
final class World {
  static final long DAY = 86_400;

  /** 2026-01-01T00:00Z: a fixed epoch, so the output does not depend on the clock. */
  static final long START_TS = 1_767_225_600L;

  /** Part of the catalogue uploaded before the logged period (the back catalogue). */
  static final double BACKLOG_SHARE = 0.4;

  static final long BACKLOG_SPAN = 365 * DAY;

  /** Weight of a secondary-topic video in that topic's sampler, relative to a main-topic one. */
  static final float SECONDARY_BOOST = 0.3f;

  final GeneratorOptions options;
  final long startTs;
  final long endTs;

  final double[] topicWeight;

  /** Age around which a topic's audience centres: demographics predict interests. */
  final double[] topicAgeCentre;

  final int[] channelTopic;
  final int[] channelLanguage;

  /** Channels of topic t: topicChannels[topicChannelStart[t] .. topicChannelStart[t+1]). */
  final int[] topicChannelStart;

  final int[] topicChannels;

  /** Cumulative channel weights within each topic's range (restarting at 0 per topic). */
  final double[] topicChannelCumulative;

  final int[] videoTopic;

  /** Secondary topic or -1. */
  final int[] videoTopic2;

  final int[] videoLanguage;
  final int[] videoChannel;
  final int[] videoDuration;
  final long[] videoUpload;
  final float[] videoPopularity;

  /**
   * Members of topic t in language l are memberVideo[segmentStart[s] .. segmentStart[s+1]) with s =
   * t × languages + l, by upload time.
   */
  final int[] segmentStart;

  final int[] memberVideo;
  final long[] memberUpload;
  final float[] memberBoost;

  final int[] channelStart;
  final int[] channelVideo;
  final long[] channelUpload;

  /** All videos by upload time: uniform sampling among those already uploaded. */
  final int[] byUpload;

  final long[] byUploadTs;

  final double[] languageCumulative;

  World(GeneratorOptions o) {
    this.options = o;
    this.startTs = START_TS;
    this.endTs = START_TS + o.days() * DAY;
    int t = o.topics();
    Rng rng = new Rng(Rng.mix(o.seed(), 1));

    topicWeight = new double[t];
    topicAgeCentre = new double[t];
    for (int i = 0; i < t; i++) {
      topicWeight[i] = Math.pow(i + 1, -0.8);
      topicAgeCentre[i] = 16 + rng.nextDouble() * 40;
    }
    double[] topicCumulative = Sampling.cumulative(topicWeight);

    // English half of everything, the other languages Zipf-distributed over the other half.
    double[] languageWeight = new double[Names.LANGUAGES.length];
    double harmonic = 0;
    for (int i = 1; i < languageWeight.length; i++) {
      harmonic += 1.0 / i;
    }
    languageWeight[0] = 0.5;
    for (int i = 1; i < languageWeight.length; i++) {
      languageWeight[i] = 0.5 / i / harmonic;
    }
    languageCumulative = Sampling.cumulative(languageWeight);

    // Channels: about 40 videos each on average, sizes heavy-tailed; each topic has at least one.
    int channels = Math.max(t, o.videos() / 40);
    channelTopic = new int[channels];
    channelLanguage = new int[channels];
    double[] channelWeight = new double[channels];
    for (int c = 0; c < channels; c++) {
      channelTopic[c] = c < t ? c : Sampling.pick(topicCumulative, rng.nextDouble());
      channelLanguage[c] = Sampling.pick(languageCumulative, rng.nextDouble());
      channelWeight[c] = Math.min(200, Math.pow(1 - rng.nextDouble(), -1 / 1.3));
    }
    topicChannelStart = new int[t + 1];
    topicChannels = groupBy(channelTopic, t, topicChannelStart);
    topicChannelCumulative = new double[channels];
    for (int i = 0; i < t; i++) {
      double sum = 0;
      for (int k = topicChannelStart[i]; k < topicChannelStart[i + 1]; k++) {
        sum += channelWeight[topicChannels[k]];
        topicChannelCumulative[k] = sum;
      }
    }

    int v = o.videos();
    videoTopic = new int[v];
    videoTopic2 = new int[v];
    videoLanguage = new int[v];
    videoChannel = new int[v];
    videoDuration = new int[v];
    videoUpload = new long[v];
    videoPopularity = new float[v];
    int secondaries = 0;
    for (int i = 0; i < v; i++) {
      int topic = Sampling.pick(topicCumulative, rng.nextDouble());
      int from = topicChannelStart[topic];
      int to = topicChannelStart[topic + 1];
      int channel = channelOfTopic(topic, rng.nextDouble());
      videoTopic[i] = topic;
      videoChannel[i] = channel;
      videoTopic2[i] = -1;
      if (t > 1 && rng.chance(0.3)) {
        int second = Sampling.pick(topicCumulative, rng.nextDouble());
        if (second != topic) {
          videoTopic2[i] = second;
          secondaries++;
        }
      }
      videoLanguage[i] =
          rng.chance(0.9)
              ? channelLanguage[channel]
              : Sampling.pick(languageCumulative, rng.nextDouble());
      // Log-normal length around 4 minutes; some topics are long-form.
      double scale = 0.5 + 2.5 * ((topic * 0.618034) % 1.0);
      videoDuration[i] =
          (int) Math.max(15, Math.min(7200, 240 * scale * Math.exp(0.9 * rng.gaussian())));
      videoUpload[i] =
          rng.chance(BACKLOG_SHARE)
              ? startTs - 1 - (long) (rng.nextDouble() * BACKLOG_SPAN)
              : startTs + (long) (rng.nextDouble() * (endTs - startTs));
      // Pareto base popularity, lifted by the channel's reach.
      double pareto = Math.min(2_000, Math.pow(1 - rng.nextDouble(), -1 / 1.3));
      videoPopularity[i] = (float) (pareto * Math.sqrt(channelWeight[channel]));
    }

    byUpload = sortedByUpload(identity(v));
    byUploadTs = uploads(byUpload);

    // Topic members (main and secondary) grouped by (topic, language), each group by upload time.
    int languages = Names.LANGUAGES.length;
    segmentStart = new int[t * languages + 1];
    memberVideo = new int[v + secondaries];
    memberUpload = new long[v + secondaries];
    memberBoost = new float[v + secondaries];
    int[] counts = new int[t * languages];
    for (int i = 0; i < v; i++) {
      counts[videoTopic[i] * languages + videoLanguage[i]]++;
      if (videoTopic2[i] >= 0) {
        counts[videoTopic2[i] * languages + videoLanguage[i]]++;
      }
    }
    for (int s = 0; s < counts.length; s++) {
      segmentStart[s + 1] = segmentStart[s] + counts[s];
    }
    int[] fill = Arrays.copyOf(segmentStart, counts.length);
    // Visiting in upload order keeps every segment sorted by upload time.
    for (int i : byUpload) {
      int k = fill[videoTopic[i] * languages + videoLanguage[i]]++;
      memberVideo[k] = i;
      memberBoost[k] = 1f;
      if (videoTopic2[i] >= 0) {
        k = fill[videoTopic2[i] * languages + videoLanguage[i]]++;
        memberVideo[k] = i;
        memberBoost[k] = SECONDARY_BOOST;
      }
    }
    for (int k = 0; k < memberVideo.length; k++) {
      memberUpload[k] = videoUpload[memberVideo[k]];
    }

    channelStart = new int[channels + 1];
    int[] byChannel = new int[v];
    int[] channelCounts = new int[channels];
    for (int i = 0; i < v; i++) {
      channelCounts[videoChannel[i]]++;
    }
    for (int c = 0; c < channels; c++) {
      channelStart[c + 1] = channelStart[c] + channelCounts[c];
    }
    int[] channelFill = Arrays.copyOf(channelStart, channels);
    for (int i : byUpload) {
      byChannel[channelFill[videoChannel[i]]++] = i;
    }
    channelVideo = byChannel;
    channelUpload = uploads(byChannel);
  }

  int channels() {
    return channelTopic.length;
  }

  int languages() {
    return Names.LANGUAGES.length;
  }

  /** A channel of the topic, drawn by channel size; u uniform in [0, 1). */
  int channelOfTopic(int topic, double u) {
    return topicChannels[
        Sampling.pickSegment(
            topicChannelCumulative, topicChannelStart[topic], topicChannelStart[topic + 1], u)];
  }

  /** Token id of word {@code k} (0-based, 0 = most used) of topic {@code t}. */
  static int topicWord(int t, int k) {
    return t * GeneratorOptions.WORDS_PER_TOPIC + k;
  }

  int generalWords() {
    return options.vocabulary() - options.topics() * GeneratorOptions.WORDS_PER_TOPIC;
  }

  int generalWord(int k) {
    return options.topics() * GeneratorOptions.WORDS_PER_TOPIC + k;
  }

  /** Number of entries in {@code sortedTs} that are {@code < ts}, within [from, to). */
  static int countBefore(long[] sortedTs, int from, int to, long ts) {
    int lo = from;
    int hi = to;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sortedTs[mid] < ts) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo - from;
  }

  private static int[] identity(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    return a;
  }

  private int[] sortedByUpload(int[] videos) {
    // Pack (upload offset, id) into one long: a primitive sort, stable by id on ties.
    long base = startTs - BACKLOG_SPAN - 1;
    long[] keys = new long[videos.length];
    for (int i = 0; i < videos.length; i++) {
      keys[i] = ((videoUpload[videos[i]] - base) << 24) | videos[i];
    }
    Arrays.sort(keys);
    int[] out = new int[videos.length];
    for (int i = 0; i < keys.length; i++) {
      out[i] = (int) (keys[i] & 0xFFFFFF);
    }
    return out;
  }

  private long[] uploads(int[] videos) {
    long[] ts = new long[videos.length];
    for (int i = 0; i < videos.length; i++) {
      ts[i] = videoUpload[videos[i]];
    }
    return ts;
  }

  /** Counting sort of ids 0..n-1 by key; fills start (size k+1) with group offsets. */
  private static int[] groupBy(int[] key, int k, int[] start) {
    int[] counts = new int[k];
    for (int x : key) {
      counts[x]++;
    }
    for (int i = 0; i < k; i++) {
      start[i + 1] = start[i] + counts[i];
    }
    int[] fill = Arrays.copyOf(start, k);
    int[] out = new int[key.length];
    for (int i = 0; i < key.length; i++) {
      out[fill[key[i]]++] = i;
    }
    return out;
  }
}
