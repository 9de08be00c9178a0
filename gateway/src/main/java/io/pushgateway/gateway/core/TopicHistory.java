package io.pushgateway.gateway.core;

import java.util.List;

/**
 * The newest events of one topic ({@link IdRing}), bounded by count and optionally by age, with
 * the topic's epoch and the eviction sweep's clocks. Not thread-safe: owned by the
 * {@link TopicStore} on its one event loop.
 */
final class TopicHistory {

  private final String topic;
  /** This life of the topic's history: a topic evicted and created again gets another. */
  private final String epoch;
  private final IdRing<Event> ring;
  /** The JSON bytes of the events kept. */
  private long bytes;
  /** When it was last published to, read or found in use: the eviction sweep's clock. */
  long touched;
  /** When it last moved to the end of its store's order; {@code touched} is at most a step later. */
  long ordered;

  TopicHistory(String topic, int capacity, String epoch) {
    this.topic = topic;
    this.epoch = epoch;
    this.ring = new IdRing<>(capacity);
  }

  String topic() {
    return topic;
  }

  String epoch() {
    return epoch;
  }

  Event append(long ts, String dataJson, String contentType) {
    Event event = Event.encode(topic, ring.lastId() + 1, ts, epoch, dataJson, contentType);
    if (ring.size() == ring.capacity()) {
      dropOldest(); // the ring would overwrite it: its bytes leave the count
    }
    ring.append(event);
    bytes += event.jsonLength();
    return event;
  }

  /** Drops kept events accepted before {@code cutoffTs}. */
  void dropOlderThan(long cutoffTs) {
    while (ring.size() > 0 && ring.get(ring.oldestId()).ts() < cutoffTs) {
      dropOldest();
    }
  }

  /** Drops the oldest events while more than {@code maxBytes} are kept, never the newest one. */
  void dropWhileOver(long maxBytes) {
    while (bytes > maxBytes && ring.size() > 1) {
      dropOldest();
    }
  }

  /** Drops the oldest event; returns its bytes (0: nothing was kept). */
  long dropOldest() {
    if (ring.size() == 0) {
      return 0;
    }
    long dropped = ring.dropOldest().jsonLength();
    bytes -= dropped;
    return dropped;
  }

  /** The JSON bytes of the events kept. */
  long bytes() {
    return bytes;
  }

  long lastId() {
    return ring.lastId();
  }

  /** The oldest kept id, or {@code lastId + 1} when nothing is kept. */
  long oldestId() {
    return ring.oldestId();
  }

  int size() {
    return ring.size();
  }

  /** Adds events {@code after+1 ..} to {@code out}, at most {@code max}; returns the last id added. */
  long copyAfter(long after, int max, List<Event> out) {
    long from = Math.max(after + 1, oldestId());
    long to = Math.min(lastId(), from + max - 1);
    for (long id = from; id <= to; id++) {
      out.add(ring.get(id));
    }
    return Math.max(after, to);
  }
}
