package dev.funnel.data.generate;

import java.util.Arrays;

/**
 * The users of a synthetic world: demographics, a heavy-tailed activity level, a few weighted topic
 * interests (Dirichlet-like, drawn from topics popular with their age group), and the small
 * per-user memory the simulation needs (what they watched, what they were shown lately). Primitive
 * arrays indexed by dense user id.
 */
final class Population {
  static final int MAX_INTERESTS = 4;

  /** Recent impressions remembered per user: repeated impressions are clicked less. */
  static final int SEEN = 32;

  static final String[] GENDERS = {"f", "m", "u"};
  static final int MAX_SUBSCRIPTIONS = 4;

  final int users;
  final int[] geo;
  final int[] language;
  final byte[] gender;
  final int[] age;

  /** Mean sessions per day. */
  final float[] activity;

  final int[] interestTopic;
  final float[] interestWeight;
  final int[] interestCount;

  /** Channels the user follows: their new uploads come back in the user's sessions. */
  final int[] subscription;

  final int[] subscriptionCount;

  private final WatchedSet watched;
  private final int[] seen;
  private final int[] seenNext;

  private final World w;
  private final double[] topicCumulative;

  Population(World w, double sessionsPerDay) {
    this.w = w;
    this.users = w.options.users();
    this.topicCumulative = Sampling.cumulative(w.topicWeight);
    geo = new int[users];
    language = new int[users];
    gender = new byte[users];
    age = new int[users];
    activity = new float[users];
    interestTopic = new int[users * MAX_INTERESTS];
    interestWeight = new float[users * MAX_INTERESTS];
    interestCount = new int[users];
    subscription = new int[users * MAX_SUBSCRIPTIONS];
    subscriptionCount = new int[users];
    watched = new WatchedSet((long) (users * w.options.watchesPerUser() * 1.5));
    seen = new int[users * SEEN];
    seenNext = new int[users];
    Arrays.fill(seen, -1);

    double[] geoWeight = new double[Names.GEOS.length];
    for (int g = 0; g < geoWeight.length; g++) {
      geoWeight[g] = Math.pow(g + 1, -1.1);
    }
    double[] geoCumulative = Sampling.cumulative(geoWeight);
    Rng rng = new Rng(0);
    for (int u = 0; u < users; u++) {
      rng.reseed(w.options.seed(), 2, u);
      geo[u] = Sampling.pick(geoCumulative, rng.nextDouble());
      // Half follow their country's main language, the rest the catalogue's mix (mostly English).
      language[u] =
          rng.chance(0.5)
              ? Names.GEO_MAIN_LANGUAGE[geo[u]]
              : Sampling.pick(w.languageCumulative, rng.nextDouble());
      double g = rng.nextDouble();
      gender[u] = (byte) (g < 0.46 ? 0 : g < 0.93 ? 1 : 2);
      age[u] =
          rng.chance(0.05)
              ? 0
              : (int) Math.max(13, Math.min(90, Math.round(28 * Math.exp(0.4 * rng.gaussian()))));
      // Log-normal activity with mean 1, capped: a few heavy users, many light ones.
      double a = Math.min(20, Math.exp(1.0 * rng.gaussian() - 0.5));
      activity[u] = (float) (a * sessionsPerDay);
      int k = Math.min(Math.min(MAX_INTERESTS, w.options.topics()), rng.geometric(2.0));
      for (int i = 0; i < k; i++) {
        addInterest(u, rng);
      }
      normalise(u);
      int subscriptions = Math.min(MAX_SUBSCRIPTIONS, rng.geometric(2.0) - 1);
      for (int i = 0; i < subscriptions; i++) {
        subscribe(u, rng);
      }
    }
  }

  /** Follows a channel of one of the user's topics, in their language or English if possible. */
  private void subscribe(int u, Rng rng) {
    int channel = -1;
    for (int attempt = 0; attempt < 8; attempt++) {
      channel = w.channelOfTopic(sessionTopic(u, rng, 0), rng.nextDouble());
      int lang = w.channelLanguage[channel];
      if (lang == language[u] || lang == 0) {
        break;
      }
    }
    subscription[u * MAX_SUBSCRIPTIONS + subscriptionCount[u]++] = channel;
  }

  /** One of the user's channels, or -1 when they follow none. */
  int subscribed(int u, Rng rng) {
    int n = subscriptionCount[u];
    return n == 0 ? -1 : subscription[u * MAX_SUBSCRIPTIONS + rng.nextInt(n)];
  }

  /** Adds a topic not yet among the user's interests, chosen by popularity and age fit. */
  void addInterest(int u, Rng rng) {
    int k = interestCount[u];
    int topic = -1;
    for (int attempt = 0; attempt < 20 && topic < 0; attempt++) {
      int t = Sampling.pick(topicCumulative, rng.nextDouble());
      if (interestIndex(u, t) >= 0) {
        continue;
      }
      // Topics have an audience age: demographics say something about interests.
      if (age[u] > 0 && !rng.chance(Math.exp(-Math.abs(age[u] - w.topicAgeCentre[t]) / 12.0))) {
        continue;
      }
      topic = t;
    }
    if (topic < 0) {
      return;
    }
    interestTopic[u * MAX_INTERESTS + k] = topic;
    interestWeight[u * MAX_INTERESTS + k] = (float) (0.05 + rng.exponential());
    interestCount[u] = k + 1;
  }

  /** Interest drift: the weakest interest gives way to a new one (or one is added). */
  void drift(int u, Rng rng) {
    int k = interestCount[u];
    if (k == 0) {
      addInterest(u, rng);
    } else if (k < MAX_INTERESTS && rng.chance(0.5)) {
      addInterest(u, rng);
    } else {
      int weakest = 0;
      for (int i = 1; i < k; i++) {
        if (interestWeight[u * MAX_INTERESTS + i] < interestWeight[u * MAX_INTERESTS + weakest]) {
          weakest = i;
        }
      }
      // Move the last into the weakest slot, then add a fresh topic.
      interestTopic[u * MAX_INTERESTS + weakest] = interestTopic[u * MAX_INTERESTS + k - 1];
      interestWeight[u * MAX_INTERESTS + weakest] = interestWeight[u * MAX_INTERESTS + k - 1];
      interestCount[u] = k - 1;
      addInterest(u, rng);
    }
    normalise(u);
  }

  private void normalise(int u) {
    int base = u * MAX_INTERESTS;
    double sum = 0;
    for (int i = 0; i < interestCount[u]; i++) {
      sum += interestWeight[base + i];
    }
    for (int i = 0; i < interestCount[u]; i++) {
      interestWeight[base + i] /= (float) sum;
    }
  }

  private int interestIndex(int u, int topic) {
    for (int i = 0; i < interestCount[u]; i++) {
      if (interestTopic[u * MAX_INTERESTS + i] == topic) {
        return i;
      }
    }
    return -1;
  }

  /** A topic by the user's interest weights; by global popularity when exploring. */
  int sessionTopic(int u, Rng rng, double explore) {
    int k = interestCount[u];
    if (k == 0 || rng.chance(explore)) {
      return Sampling.pick(topicCumulative, rng.nextDouble());
    }
    double x = rng.nextDouble();
    int base = u * MAX_INTERESTS;
    for (int i = 0; i < k - 1; i++) {
      x -= interestWeight[base + i];
      if (x < 0) {
        return interestTopic[base + i];
      }
    }
    return interestTopic[base + k - 1];
  }

  /**
   * How much the user likes a topic: 1 for their favourite, 0 for a topic outside their interests.
   */
  double topicAffinity(int u, int topic) {
    int base = u * MAX_INTERESTS;
    double max = 0;
    double mine = 0;
    for (int i = 0; i < interestCount[u]; i++) {
      max = Math.max(max, interestWeight[base + i]);
      if (interestTopic[base + i] == topic) {
        mine = interestWeight[base + i];
      }
    }
    return max == 0 ? 0 : mine / max;
  }

  /** Affinity for a video: its main topic counts fully, its secondary topic half. */
  double videoAffinity(int u, int video) {
    double a = topicAffinity(u, w.videoTopic[video]);
    int second = w.videoTopic2[video];
    return second < 0 ? a : Math.max(a, 0.5 * topicAffinity(u, second));
  }

  /** Whether the user watched the video before (rarely wrong, see {@link WatchedSet}). */
  boolean hasWatched(int u, int video) {
    return watched.contains(u, video);
  }

  void watched(int u, int video) {
    watched.add(u, video);
  }

  /** How often the video was among the user's recent impressions. */
  int timesShown(int u, int video) {
    int base = u * SEEN;
    int n = 0;
    for (int i = 0; i < SEEN; i++) {
      if (seen[base + i] == video) {
        n++;
      }
    }
    return n;
  }

  void shown(int u, int video) {
    seen[u * SEEN + seenNext[u]] = video;
    seenNext[u] = (seenNext[u] + 1) % SEEN;
  }

  String genderCode(int u) {
    return GENDERS[gender[u]];
  }
}
