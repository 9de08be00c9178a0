package io.pushgateway.gateway.core;

import io.vertx.core.json.JsonObject;

/**
 * The explicit notice that a subscriber's position could not be honoured (its events left the
 * history, its epoch is gone, or its id is in the future): its events of {@code topic} restart at
 * {@code from} of history {@code epoch}. Never a silent gap.
 */
public record Reset(String topic, long from, String epoch) {

  public JsonObject toJson() {
    return new JsonObject().put("topic", topic).put("from", from).put("epoch", epoch);
  }
}
