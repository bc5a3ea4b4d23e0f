package dev.funnel.features;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How often each key was shown, for the {@code capacity} most recently shown keys: a showing makes
 * its key the most recent, and a new key beyond the capacity evicts the least recently shown one,
 * whose count is then forgotten (shown again later, it starts from 1). This is the impression rule
 * of a {@link UserProfile}; the trainer uses it with dense ids so that its "previous impressions"
 * feature is capped exactly as serving's.
 *
 * @param <K> the key (a video id, or a dense video index offline)
 */
public final class RecentCounts<K> {
  private final int capacity;
  private final LinkedHashMap<K, Integer> counts = new LinkedHashMap<>();

  public RecentCounts(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive");
    }
    this.capacity = capacity;
  }

  /** Starts from {@code initial}'s entries, in its iteration order (oldest showing first). */
  public RecentCounts(int capacity, Map<K, Integer> initial) {
    this(capacity);
    for (Map.Entry<K, Integer> e : initial.entrySet()) {
      counts.put(e.getKey(), e.getValue());
    }
    evict();
  }

  /** One more showing of {@code key}. */
  public void show(K key) {
    Integer before = counts.remove(key);
    counts.put(key, before == null ? 1 : before + 1);
    evict();
  }

  public int count(K key) {
    return counts.getOrDefault(key, 0);
  }

  public int size() {
    return counts.size();
  }

  /** The counts, least recently shown first; a read-only view. */
  public Map<K, Integer> asMap() {
    return Collections.unmodifiableMap(counts);
  }

  private void evict() {
    var it = counts.keySet().iterator();
    for (int extra = counts.size() - capacity; extra > 0; extra--) {
      it.next();
      it.remove();
    }
  }
}
