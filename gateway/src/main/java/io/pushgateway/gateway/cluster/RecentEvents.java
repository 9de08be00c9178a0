package io.pushgateway.gateway.cluster;

import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.core.HistoryLimits;
import io.pushgateway.gateway.core.IdRing;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The newest events the relay handed to this node's hubs, per topic, as the very {@link Event}
 * instances the hubs delivered. A read of the cluster log gets its events' data from the topic's
 * partition owner, and takes the instance from here when it has it: the event keeps the wire forms
 * its live delivery built, so a resume or a poll writes the same bytes again instead of encoding
 * the event once more per read. An event that is not here (older, dropped, or relayed before this
 * node joined) is encoded from the owner's data, as before.
 *
 * <p>Bounded as history is ({@link HistoryLimits}): per topic by count and bytes in the same
 * {@link IdRing}, and over all topics by bytes, past which whole topics are dropped (it is a
 * cache: a miss costs an encoding, never an event). A gap in the ids (an event never relayed) or a
 * new epoch starts the topic's ring afresh. The relay writes on its event loop, reads come from
 * every event loop: each topic's ring is guarded by its own lock, held for a few array accesses.
 */
final class RecentEvents {

  private final HistoryLimits limits;
  private final Map<String, Recent> topics = new ConcurrentHashMap<>();
  /** The JSON bytes of every event kept, over all topics; written on the relay's thread. */
  private final AtomicLong bytes = new AtomicLong();

  RecentEvents(HistoryLimits limits) {
    this.limits = limits;
  }

  /** Keeps an event the relay passed on; relay thread only, in each topic's id order. */
  void add(Event event) {
    Recent recent = topics.get(event.topic());
    if (recent == null || !recent.epoch.equals(event.epoch())) {
      if (recent != null) {
        drop(event.topic(), recent);
      }
      recent = new Recent(event.epoch(), limits.forTopic(event.topic()).events());
      topics.put(event.topic(), recent);
    }
    synchronized (recent) {
      if (topics.get(event.topic()) != recent) {
        return; // forgotten meanwhile (the cluster evicted the topic): not worth keeping
      }
      long before = recent.ring.weight();
      if (event.id() != recent.ring.lastId() + 1) {
        recent.ring = IdRing.restart(recent.capacity, Event::heapBytes, event.id() - 1, 0);
      } else {
        event.follows(recent.ring.newest()); // before the hubs hear of it
      }
      recent.ring.append(event);
      while (recent.ring.weight() > limits.topicBytes() && recent.ring.size() > 1) {
        recent.ring.dropOldest();
      }
      bytes.addAndGet(recent.ring.weight() - before);
    }
    if (bytes.get() > limits.totalBytes()) {
      for (Map.Entry<String, Recent> other : topics.entrySet()) {
        if (bytes.get() <= limits.totalBytes()) {
          break;
        }
        if (other.getValue() != recent) {
          drop(other.getKey(), other.getValue());
        }
      }
    }
  }

  /** The event {@code id} of the topic's history {@code epoch}, or null when it is not kept here. */
  Event get(String topic, String epoch, long id) {
    Recent recent = topics.get(topic);
    if (recent == null || !recent.epoch.equals(epoch)) {
      return null;
    }
    synchronized (recent) {
      IdRing<Event> ring = recent.ring;
      return id >= ring.oldestId() && id <= ring.lastId() ? ring.get(id) : null;
    }
  }

  /** Drops a topic the cluster evicted; any thread. */
  void forget(String topic) {
    Recent recent = topics.get(topic);
    if (recent != null) {
      drop(topic, recent);
    }
  }

  /** The JSON bytes kept over all topics. */
  long bytes() {
    return bytes.get();
  }

  private void drop(String topic, Recent recent) {
    if (topics.remove(topic, recent)) {
      synchronized (recent) {
        bytes.addAndGet(-recent.ring.weight());
      }
    }
  }

  private static final class Recent {
    final String epoch;
    /** The events its topic's history keeps, as many as this keeps at most. */
    final int capacity;
    /** Weighed by each event's JSON bytes. */
    IdRing<Event> ring;

    Recent(String epoch, int capacity) {
      this.epoch = epoch;
      this.capacity = capacity;
      this.ring = new IdRing<>(capacity, Event::heapBytes);
    }
  }
}
