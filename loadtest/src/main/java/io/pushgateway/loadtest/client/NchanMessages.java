package io.pushgateway.loadtest.client;

import io.pushgateway.loadtest.stats.SubscriberTracker;
import io.vertx.core.Promise;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * A message an Nchan subscriber received: the publisher's data as its body, {@code
 * {"seq","t","p"}}, or the readiness marker ({@link NchanPublisher#MARKER}) that proves the
 * subscription is live. Nchan's ids are {@code <unix seconds>:<tag>}, not a +1 sequence, so loss,
 * duplicates and order are counted by {@code seq} alone.
 */
final class NchanMessages {
  private NchanMessages() {
  }

  static void deliver(String body, SubscriberTracker tracker, Promise<Void> ready) {
    if (body.equals(NchanPublisher.MARKER)) {
      ready.tryComplete();
      return;
    }
    if (Events.deliverPeerFast(body, 0, tracker)) {
      return;
    }
    try {
      JsonObject data = new JsonObject(body);
      Long seq = data.getLong("seq");
      Long t = data.getLong("t");
      if (seq == null || t == null) {
        tracker.stats().errors.increment();
        return;
      }
      tracker.onPeerEvent(seq, t);
    } catch (DecodeException | ClassCastException e) {
      tracker.stats().errors.increment();
    }
  }
}
