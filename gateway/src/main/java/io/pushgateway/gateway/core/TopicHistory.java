package io.pushgateway.gateway.core;

import java.util.List;

/**
 * The newest events of one topic ({@link IdRing}), bounded by count and optionally by age, with
 * the topic's epoch, the keys of events that left ({@link RetiredKeys}) and the eviction sweep's
 * clocks. Not thread-safe: owned by the {@link TopicStore} on its one event loop.
 */
final class TopicHistory {

  private final String topic;
  /** This life of the topic's history: a topic evicted and created again gets another. */
  private final String epoch;
  /** Its own bounds: the store's, or those of the history rule its name matches. */
  private final HistoryLimits limits;
  /** Weighed by each event's JSON bytes. */
  private final IdRing<Event> ring;
  /** Made when the first keyed event leaves, if keys outlive their events at all. */
  private RetiredKeys retired;
  /** When it was last published to, read or found in use: the eviction sweep's clock. */
  long touched;
  /** When it last moved to the end of its store's order; {@code touched} is at most a step later. */
  long ordered;

  /** The key of an event that leaves is remembered ({@link #forgetKeysBefore}) if {@code limits} keep keys at all. */
  TopicHistory(String topic, HistoryLimits limits, String epoch) {
    this.topic = topic;
    this.epoch = epoch;
    this.limits = limits;
    this.ring = new IdRing<>(limits.events(), Event::heapBytes, Event::key,
      limits.keyWindowMillis() > 0 ? this::retire : (key, id, event) -> { });
  }

  private void retire(String key, long id, Event event) {
    if (retired == null) {
      retired = new RetiredKeys();
    }
    retired.retire(key, id, event.ts(), event.fingerprint());
  }

  String topic() {
    return topic;
  }

  HistoryLimits limits() {
    return limits;
  }

  String epoch() {
    return epoch;
  }

  Event append(long ts, String dataJson, String contentType, String key) {
    Event event = Event.encode(topic, ring.lastId() + 1, ts, epoch, dataJson, contentType, key);
    event.follows(ring.newest());
    ring.append(event);
    return event;
  }

  /**
   * What a publish of {@code key} gets if the topic has seen the key: its event again, kept or
   * made again from the key's memory, as a duplicate; null if it has not. A key seen with other
   * data is refused.
   */
  Stored repeatOf(String key, String dataJson, String contentType) {
    long id = ring.find(key);
    if (id != 0) {
      Event earlier = ring.get(id);
      if (!earlier.sameData(dataJson, contentType)) {
        throw PublishKeys.conflict(topic, key);
      }
      return new Stored(earlier, true);
    }
    RetiredKeys.Retired gone = retired == null ? null : retired.find(key);
    if (gone == null) {
      return null;
    }
    Event again = Event.encode(topic, gone.id(), gone.ts(), epoch, dataJson, contentType, key);
    if (again.fingerprint() != gone.fingerprint()) {
      throw PublishKeys.conflict(topic, key);
    }
    return new Stored(again, true);
  }

  /** Whether it remembers keys of events that left. */
  boolean remembersKeys() {
    return retired != null && retired.size() > 0;
  }

  /** Forgets the keys of events that left and were accepted before {@code cutoffTs}. */
  void forgetKeysBefore(long cutoffTs) {
    if (retired != null) {
      retired.forgetOlderThan(cutoffTs);
    }
  }

  /** Drops kept events accepted before {@code cutoffTs}. */
  void dropOlderThan(long cutoffTs) {
    ring.dropOldestWhile(event -> event.ts() < cutoffTs);
  }

  /**
   * While more than {@code maxBytes} are kept, forgets the keys of events that left, oldest
   * first, then drops the oldest events, keeping at least {@code keepEvents} of them.
   */
  void dropWhileOver(long maxBytes, int keepEvents) {
    while (bytes() > maxBytes) {
      if (retired != null && retired.forgetOldest()) {
        continue;
      }
      if (ring.size() <= keepEvents) {
        return;
      }
      ring.dropOldest();
    }
  }

  /** The heap the events kept ({@link Event#heapBytes()}) and the keys remembered take. */
  long bytes() {
    return ring.weight() + (retired == null ? 0 : retired.weight());
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
