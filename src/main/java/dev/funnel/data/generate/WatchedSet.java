package dev.funnel.data.generate;

/**
 * "Has user u watched video v?" for the whole period, in one bit per (user, video) hash: a one-hash
 * Bloom filter sized to about 16 bits per expected watch. A false positive (a few per cent) only
 * means a video is skipped as if watched; that keeps re-watches rare without a set per user (RW-1M
 * has ten million watches).
 */
final class WatchedSet {
  private final long[] bits;
  private final long mask;

  WatchedSet(long expectedWatches) {
    long wanted = Math.max(1L << 16, expectedWatches * 16);
    int log = 64 - Long.numberOfLeadingZeros(wanted - 1);
    long size = 1L << Math.min(log, 34); // at most 2 GiB of bits
    bits = new long[(int) (size >>> 6)];
    mask = size - 1;
  }

  boolean contains(int user, int video) {
    long h = slot(user, video);
    return (bits[(int) (h >>> 6)] & (1L << (h & 63))) != 0;
  }

  void add(int user, int video) {
    long h = slot(user, video);
    bits[(int) (h >>> 6)] |= 1L << (h & 63);
  }

  private long slot(int user, int video) {
    long z = ((long) user << 32) ^ (video & 0xFFFFFFFFL);
    z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
    z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
    return (z ^ (z >>> 33)) & mask;
  }
}
