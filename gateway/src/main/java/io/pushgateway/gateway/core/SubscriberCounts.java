package io.pushgateway.gateway.core;

import io.pushgateway.gateway.core.Transport;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Subscribers per topic and transport, over all event loops, for {@code GET /api/topics/{t}}
 * and for the log's eviction of unused topics. Touched only when a subscription starts or ends,
 * never per event. A topic's entry exists exactly while some count is not zero.
 */
public final class SubscriberCounts {

  private final ConcurrentHashMap<String, AtomicLongArray> counts = new ConcurrentHashMap<>();
  /** Over all topics, so the subscriptions gauge never walks the map. */
  private final AtomicLongArray totals = new AtomicLongArray(Transport.values().length);

  public void add(String topic, Transport transport, int delta) {
    // compute runs atomically per key: an entry dropped at zero is never one another thread is
    // adding to at the same moment (that add then makes a new entry)
    counts.compute(topic, (t, array) -> {
      AtomicLongArray updated = array == null ? new AtomicLongArray(Transport.values().length) : array;
      updated.addAndGet(transport.ordinal(), delta);
      return isZero(updated) ? null : updated;
    });
    totals.addAndGet(transport.ordinal(), delta);
  }

  /** Whether any transport has a subscriber of the topic now. Any thread. */
  public boolean inUse(String topic) {
    return counts.containsKey(topic);
  }

  /** Topics with at least one subscriber. */
  public int topics() {
    return counts.size();
  }

  /** A live view of the topics with at least one subscriber; any thread. */
  public Set<String> topicNames() {
    return Collections.unmodifiableSet(counts.keySet());
  }

  /** Topic subscriptions of one transport over all topics. */
  public long total(Transport transport) {
    return totals.get(transport.ordinal());
  }

  public long get(String topic, Transport transport) {
    AtomicLongArray array = counts.get(topic);
    return array == null ? 0 : array.get(transport.ordinal());
  }

  private static boolean isZero(AtomicLongArray array) {
    for (int i = 0; i < array.length(); i++) {
      if (array.get(i) != 0) {
        return false;
      }
    }
    return true;
  }
}
