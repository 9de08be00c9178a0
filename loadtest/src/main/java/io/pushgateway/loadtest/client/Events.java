package io.pushgateway.loadtest.client;

import io.pushgateway.loadtest.stats.SubscriberTracker;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Reading the protocol's event objects and cursors, shared by all four clients. */
final class Events {
  private Events() {
  }

  /** Hands one event {@code {"topic","id","ts","data":{"seq","t","p"}}} to the tracker. */
  static void deliver(JsonObject event, SubscriberTracker tracker) {
    Object data = event.getValue("data");
    Long id = event.getLong("id");
    if (!(data instanceof JsonObject d) || id == null || d.getLong("seq") == null || d.getLong("t") == null) {
      tracker.stats().errors.increment();
      return;
    }
    tracker.onEvent(id, d.getLong("seq"), d.getLong("t"));
  }

  /** Applies a poll answer's resets (they come before their topic's events), then its events. */
  static void deliverPollAnswer(JsonObject body, SubscriberTracker tracker) {
    JsonArray resets = body.getJsonArray("resets");
    if (resets != null) {
      for (int i = 0; i < resets.size(); i++) {
        tracker.onReset(resets.getJsonObject(i).getLong("from", 1L));
      }
    }
    JsonArray events = body.getJsonArray("events");
    for (int i = 0; i < events.size(); i++) {
      deliver(events.getJsonObject(i), tracker);
    }
  }

  /** The id of {@code topic}'s entry in a cursor {@code t:id:epoch,...}, or -1. */
  static long cursorId(String cursor, String topic) {
    if (cursor == null) {
      return -1;
    }
    for (String entry : cursor.split(",")) {
      String[] f = entry.split(":");
      if (f.length >= 2 && f[0].equals(topic)) {
        try {
          return Long.parseLong(f[1]);
        } catch (NumberFormatException e) {
          return -1;
        }
      }
    }
    return -1;
  }
}
