package io.pushgateway.loadtest.stats;

import java.util.BitSet;

/**
 * One subscriber's view of the stream: which publisher sequence numbers it has seen, and the
 * gateway ids, so loss, duplicates and reordering are counted per subscriber. Used only from the
 * subscriber's own event loop.
 */
public final class SubscriberTracker {
  private final TransportStats stats;
  private final BitSet seen = new BitSet();
  private long maxSeq = -1;
  private long lastId = -1;

  SubscriberTracker(TransportStats stats) {
    this.stats = stats;
  }

  public TransportStats stats() {
    return stats;
  }

  /** An event arrived: gateway id, publisher seq and due-time offset from its data. */
  public void onEvent(long id, long seq, long tOffsetNanos) {
    checkId(id);
    onPeerEvent(seq, tOffsetNanos);
  }

  /**
   * An event from a peer server, whose ids are not a +1 sequence (Nchan's are time:tag): loss,
   * duplicates and order are counted by the publisher's seq alone.
   */
  public void onPeerEvent(long seq, long tOffsetNanos) {
    long now = System.nanoTime();
    if (seq < 0 || seq > Integer.MAX_VALUE) {
      stats.errors.increment();
      return;
    }
    int s = (int) seq;
    if (seen.get(s)) {
      stats.duplicates.increment();
      return;
    }
    seen.set(s);
    if (seq < maxSeq) {
      stats.outOfOrder.increment();
    } else {
      maxSeq = seq;
    }
    stats.record(seq, tOffsetNanos, now);
  }

  private void checkId(long id) {
    if (lastId >= 0 && id != lastId + 1) {
      stats.idAnomalies.increment();
    }
    if (id > lastId) {
      lastId = id;
    }
  }

  /** Where the subscription starts: the topic's latest id when it subscribed. */
  public void startAt(long latestId) {
    if (lastId < 0) {
      lastId = latestId;
    }
  }

  /** The gateway reported a reset: ids restart at {@code from}, which is not an anomaly. */
  public void onReset(long from) {
    stats.resets.increment();
    lastId = from - 1;
  }

  public long lastId() {
    return lastId;
  }
}
