package io.pushgateway.gateway.core;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * The idempotency keys of events a topic's history no longer keeps, remembered for the key window
 * ({@link HistoryLimits#keyWindowMillis}): on a hot topic, or with a small history, an event may
 * leave the history before its publisher's retry arrives, and that retry must still be answered
 * with the event, not stored again. Each key keeps its event's id, timestamp and a fingerprint of
 * its data ({@link PublishKeys#fingerprint}), enough to answer the retry or to refuse a key given
 * again with other data.
 *
 * <p>Oldest first, as the history drops its events. Its heap counts against the history's byte
 * bounds, which forget these keys before they drop any event. Not thread-safe: it belongs to the
 * history that feeds it.
 */
public final class RetiredKeys {

  /** A key whose event left the history: the event's id and timestamp, its data's fingerprint. */
  public record Retired(String key, long id, long ts, long fingerprint) {
  }

  private final ArrayDeque<Retired> oldestFirst = new ArrayDeque<>();
  /** The newest retired entry of each key (a key given twice: the newest stands, as in the ring). */
  private final Map<String, Retired> byKey = new HashMap<>();
  private long weight;

  /** Remembers the key of an event that left the history. */
  public void retire(String key, long id, long ts, long fingerprint) {
    Retired retired = new Retired(key, id, ts, fingerprint);
    oldestFirst.addLast(retired);
    byKey.put(key, retired);
    weight += PublishKeys.retiredHeapBytes(key);
  }

  /** The remembered event of {@code key}, or null. */
  public Retired find(String key) {
    return byKey.isEmpty() ? null : byKey.get(key);
  }

  /** Forgets the keys of events accepted before {@code cutoffTs}. */
  public void forgetOlderThan(long cutoffTs) {
    while (!oldestFirst.isEmpty() && oldestFirst.peekFirst().ts() < cutoffTs) {
      forgetOldest();
    }
  }

  /** Forgets the oldest key, if any; false if there was none. */
  public boolean forgetOldest() {
    Retired oldest = oldestFirst.pollFirst();
    if (oldest == null) {
      return false;
    }
    byKey.remove(oldest.key(), oldest);
    weight -= PublishKeys.retiredHeapBytes(oldest.key());
    return true;
  }

  /** The heap the remembered keys take. */
  public long weight() {
    return weight;
  }

  public int size() {
    return oldestFirst.size();
  }

  /** The remembered keys, oldest first: to copy them, as a cluster's backup does. */
  public Iterable<Retired> oldestFirst() {
    return Collections.unmodifiableCollection(oldestFirst);
  }
}
