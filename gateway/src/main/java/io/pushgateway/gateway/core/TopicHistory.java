package io.pushgateway.gateway.core;

import java.util.List;

/**
 * The newest events of one topic, a ring indexed by id: ids are contiguous, so event {@code id}
 * sits at {@code (id - 1) % capacity}. Bounded by count and optionally by age. Not thread-safe:
 * owned by the {@link TopicStore} on its one event loop.
 */
final class TopicHistory {

  private final String topic;
  private final int capacity;
  /** This life of the topic's history: a topic evicted and created again gets another. */
  private final String epoch;
  private Event[] ring;
  private long lastId;
  private int size;
  /** When it was last published to, read or found in use: the eviction sweep's clock. */
  long touched;
  /** When it last moved to the end of its store's order; {@code touched} is at most a step later. */
  long ordered;

  TopicHistory(String topic, int capacity, String epoch) {
    this.topic = topic;
    this.capacity = capacity;
    this.epoch = epoch;
    this.ring = new Event[Math.min(16, capacity)];
  }

  String topic() {
    return topic;
  }

  String epoch() {
    return epoch;
  }

  Event append(long ts, String dataJson) {
    Event event = Event.encode(topic, lastId + 1, ts, epoch, dataJson);
    if (size == ring.length && ring.length < capacity) {
      grow();
    }
    lastId = event.id();
    ring[slot(lastId)] = event;
    size = Math.min(size + 1, ring.length);
    return event;
  }

  /** Drops kept events accepted before {@code cutoffTs}. */
  void dropOlderThan(long cutoffTs) {
    while (size > 0 && ring[slot(oldestId())].ts() < cutoffTs) {
      ring[slot(oldestId())] = null;
      size--;
    }
  }

  long lastId() {
    return lastId;
  }

  /** The oldest kept id, or {@code lastId + 1} when nothing is kept. */
  long oldestId() {
    return lastId - size + 1;
  }

  int size() {
    return size;
  }

  /** Adds events {@code after+1 ..} to {@code out}, at most {@code max}; returns the last id added. */
  long copyAfter(long after, int max, List<Event> out) {
    long from = Math.max(after + 1, oldestId());
    long to = Math.min(lastId, from + max - 1);
    for (long id = from; id <= to; id++) {
      out.add(ring[slot(id)]);
    }
    return Math.max(after, to);
  }

  private int slot(long id) {
    return (int) ((id - 1) % ring.length);
  }

  /** Re-lays the ring out for a larger array; slots depend on the array's length. */
  private void grow() {
    Event[] old = ring;
    long oldest = oldestId();
    ring = new Event[Math.min(capacity, old.length * 2)];
    for (long id = oldest; id <= lastId; id++) {
      ring[slot(id)] = old[(int) ((id - 1) % old.length)];
    }
  }
}
