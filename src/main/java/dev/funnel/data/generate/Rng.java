package dev.funnel.data.generate;

/**
 * SplitMix64: a tiny, fast, reseedable generator. The generator derives one stream per (user, time
 * slice) from the world seed, so the output does not depend on the order in which users are
 * visited, and reseeding costs no allocation (millions of reseeds per world).
 */
final class Rng {
  private long state;

  Rng(long seed) {
    state = seed;
  }

  /** Restarts the stream at a seed mixed from the given parts. */
  void reseed(long... parts) {
    state = mix(parts);
  }

  static long mix(long... parts) {
    long h = 0x9E3779B97F4A7C15L;
    for (long p : parts) {
      h = scramble(h ^ scramble(p + 0x632BE59BD9B4E019L));
    }
    return h;
  }

  private static long scramble(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  long nextLong() {
    state += 0x9E3779B97F4A7C15L;
    return scramble(state);
  }

  /** Uniform in [0, 1). */
  double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform in [0, bound). */
  int nextInt(int bound) {
    return (int) ((nextLong() >>> 33) * bound >>> 31);
  }

  boolean chance(double p) {
    return nextDouble() < p;
  }

  double gaussian() {
    double u = 1.0 - nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * nextDouble());
  }

  /** Exp(1): the building block of Dirichlet weights and Poisson arrivals. */
  double exponential() {
    return -Math.log(1.0 - nextDouble());
  }

  /** Poisson by counting exponential gaps; the rates here are small (a few per slice). */
  int poisson(double mean) {
    int n = 0;
    double t = exponential();
    while (t < mean) {
      n++;
      t += exponential();
    }
    return n;
  }

  /** 1, 2, 3, ... with the given mean (>= 1). */
  int geometric(double mean) {
    if (mean <= 1.0) {
      return 1;
    }
    double p = 1.0 / mean;
    return 1 + (int) (Math.log(1.0 - nextDouble()) / Math.log(1.0 - p));
  }
}
