package io.pushgateway.gateway.cluster;

import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.core.IdRing;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The newest events the relay handed to this node's hubs, per topic, as the very {@link Event}
 * instances the hubs delivered. A read of the cluster log gets its events' data from the topic's
 * partition owner, and takes the instance from here when it has it: the event keeps the wire forms
 * its live delivery built, so a resume or a poll writes the same bytes again instead of encoding
 * the event once more per read. An event that is not here (older, or relayed before this node
 * joined) is encoded from the owner's data, as before.
 *
 * <p>Each topic keeps at most the history's size, in the same {@link IdRing} as the histories;
 * a gap in the ids (an event never relayed) or a new epoch starts the topic's ring afresh. The
 * relay writes on its event loop, reads come from every event loop: each topic's ring is guarded
 * by its own lock, held for a few array accesses.
 */
final class RecentEvents {

  private final int capacity;
  private final Map<String, Recent> topics = new ConcurrentHashMap<>();

  RecentEvents(int capacity) {
    this.capacity = capacity;
  }

  /** Keeps an event the relay passed on; relay thread only, in each topic's id order. */
  void add(Event event) {
    Recent recent = topics.get(event.topic());
    if (recent == null || !recent.epoch.equals(event.epoch())) {
      recent = new Recent(event.epoch());
      topics.put(event.topic(), recent);
    }
    synchronized (recent) {
      if (event.id() != recent.ring.lastId() + 1) {
        recent.ring = IdRing.restart(capacity, event.id() - 1, 0);
      }
      recent.ring.append(event);
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
    topics.remove(topic);
  }

  private final class Recent {
    final String epoch;
    IdRing<Event> ring = new IdRing<>(capacity);

    Recent(String epoch) {
      this.epoch = epoch;
    }
  }
}
