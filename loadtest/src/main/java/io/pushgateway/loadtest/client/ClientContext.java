package io.pushgateway.loadtest.client;

import io.pushgateway.loadtest.target.Peer;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.WebSocketClient;

/**
 * What the subscribers of one run share: the Vert.x clients (each subscriber still gets its own TCP
 * connection, like a separate device), the topic and the request headers every request carries.
 *
 * @param pollIntervalMs  how often a short-polling subscriber asks
 * @param longPollTimeoutS the {@code timeout} a long poll asks the gateway to hold it
 * @param peer            the server's protocol: the gateway's or a peer's
 * @param format          what the gateway's subscribers ask for: the compact format, deltas
 */
public record ClientContext(Vertx vertx, HttpClientAgent http, WebSocketClient ws, String topic,
                            MultiMap headers, long pollIntervalMs, int longPollTimeoutS, boolean javaClient,
                            Peer peer, SubscriberFormat format) {

  /** What a gateway subscriber adds to its query for its format. */
  String formatQuery() {
    return format.query();
  }

  /** Whether the gateway's subscribers ask for the compact format. */
  boolean compact() {
    return format.compact();
  }

  /** Delay before a dropped connection is reopened with the subscriber's cursor. */
  static final long RECONNECT_DELAY_MS = 200;

  /** Attempts to get a subscriber ready before the run gives up on it. */
  static final int START_ATTEMPTS = 5;

  /**
   * The rule every subscriber starts by: one still not ready after {@link #START_ATTEMPTS} failed
   * tries fails its start with {@code err}, and true says it gave up (no retry).
   */
  static boolean giveUpStarting(Promise<Void> ready, int failures, Throwable err) {
    if (ready.future().isComplete() || failures < START_ATTEMPTS) {
      return false;
    }
    ready.tryFail(err);
    return true;
  }
}
