package io.pushgateway.loadtest.chaos;

import java.util.BitSet;

/**
 * The ids one subscriber received, over all its connections and transports: loss (an id past its
 * first one that never came and no reset explained), duplicates and reordering. Touched only on
 * the chaos event loop; read after it stopped.
 */
final class Received {
  private final BitSet seen = new BitSet();
  private final BitSet skipped = new BitSet();
  private long first = -1;
  private long last = -1;
  long duplicates;
  long outOfOrder;
  long resets;

  /** Returns false for a duplicate. */
  boolean event(long id) {
    if (first < 0) {
      first = id;
    }
    if (id < 0 || id > Integer.MAX_VALUE) {
      return false;
    }
    if (seen.get((int) id)) {
      duplicates++;
      return false;
    }
    seen.set((int) id);
    if (id < last) {
      outOfOrder++;
    }
    last = Math.max(last, id);
    return true;
  }

  /** A reset: events before {@code from} that were not received are explained, not lost. */
  void reset(long from) {
    resets++;
    if (last >= 0 && from > last + 1) {
      skipped.set((int) last + 1, (int) from);
    }
  }

  long last() {
    return last;
  }

  /** Ids from the first received to {@code lastAcked} neither received nor explained by a reset. */
  long lost(long lastAcked) {
    if (first < 0) {
      return 0;
    }
    long lost = 0;
    for (long id = first; id <= lastAcked; id++) {
      if (!seen.get((int) id) && !skipped.get((int) id)) {
        lost++;
      }
    }
    return lost;
  }
}
