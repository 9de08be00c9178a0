package io.pushgateway.loadtest.client;

import io.vertx.core.Future;

/**
 * One simulated subscriber on one transport. Implementations follow the client side of the wire
 * protocol and report each event to their {@link io.pushgateway.loadtest.stats.SubscriberTracker}.
 */
public interface LoadClient {

  /**
   * Connects and subscribes. Completes once every event published from then on will reach this
   * subscriber, so the publisher can start without a race.
   */
  Future<Void> start();

  /** Stops for good: no reconnect after this. */
  Future<Void> close();
}
