package io.pushgateway.gateway.presence;

import io.vertx.core.Vertx;
import java.util.UUID;

/** Presence on one node, in memory: the default, as the history is. */
public final class LocalPresence extends ViewPresence {

  public LocalPresence(Vertx vertx, String namespace, PresenceLimits limits) {
    super(vertx, UUID.randomUUID().toString(), namespace, limits);
  }
}
