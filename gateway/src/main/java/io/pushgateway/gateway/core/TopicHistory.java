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
  /** Weighed by each event's JSON bytes. */
  private final IdRing<Event> ring;
  /** When it was last published to, read or found in use: the eviction sweep's clock. */
  long touched;
  /** When it last moved to the end of its store's order; {@code touched} is at most a step later. */
  long ordered;

  TopicHistory(String topic, int capacity, String epoch) {
    this.topic = topic;
    this.epoch = epoch;
    this.ring = new IdRing<>(capacity, Event::heapBytes, Event::key);
  }

  String topic() {
    return topic;
  }

  String epoch() {
    return epoch;
  }

  Event append(long ts, String dataJson, String contentType, String key) {
    Event event = Event.encode(topic, ring.lastId() + 1, ts, epoch, dataJson, contentType, key);
    ring.append(event);
    return event;
  }

  /** The kept event whose publish carried {@code key}, or null. */
  Event find(String key) {
    long id = ring.find(key);
    return id == 0 ? null : ring.get(id);
  }

  /** Drops kept events accepted before {@code cutoffTs}. */
  void dropOlderThan(long cutoffTs) {
    ring.dropOldestWhile(event -> event.ts() < cutoffTs);
  }

  /** Drops the oldest events while more than {@code maxBytes} are kept, never the newest one. */
  void dropWhileOver(long maxBytes) {
    while (ring.weight() > maxBytes && ring.size() > 1) {
      ring.dropOldest();
    }
  }

  /** Drops the oldest event, which must be kept; returns its bytes. */
  long dropOldest() {
    return ring.dropOldest().heapBytes();
  }

  /** The heap the events kept take ({@link Event#heapBytes()}). */
  long bytes() {
    return ring.weight();
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
