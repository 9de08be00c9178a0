package io.pushgateway.gateway.core;

import io.pushgateway.gateway.transport.Transport;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Subscribers per topic and transport, over all event loops, for {@code GET /api/topics/{t}}.
 * Touched only when a subscription starts or ends, never per event.
 */
public final class SubscriberCounts {

  private final ConcurrentHashMap<String, AtomicLongArray> counts = new ConcurrentHashMap<>();
  /** Over all topics, so the subscriptions gauge never walks the map. */
  private final AtomicLongArray totals = new AtomicLongArray(Transport.values().length);

  public void add(String topic, Transport transport, int delta) {
    counts.computeIfAbsent(topic, t -> new AtomicLongArray(Transport.values().length))
      .addAndGet(transport.ordinal(), delta);
    totals.addAndGet(transport.ordinal(), delta);
  }

  /** Topic subscriptions of one transport over all topics. */
  public long total(Transport transport) {
    return totals.get(transport.ordinal());
  }

  public long get(String topic, Transport transport) {
    AtomicLongArray array = counts.get(topic);
    return array == null ? 0 : array.get(transport.ordinal());
  }
}
