package io.pushgateway.client;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * One attempt at one transport. It reports to its client (always on the client's thread):
 * {@code opened}, {@code deliver}, {@code learn}, {@code reset}, {@code acceptCursor} and, once,
 * {@code drop}. Stopped, it reports nothing more.
 */
abstract class Connection {

  final PushClient client;
  final Transport transport;
  boolean opened;
  long openedAt;
  /** The token its stream was opened with (a WebSocket's: the last it was handed); null for polls. */
  String token;
  ScheduledFuture<?> openTimer;
  boolean stopped;

  Connection(PushClient client, Transport transport) {
    this.client = client;
    this.transport = transport;
  }

  static Connection create(PushClient client, Transport transport) {
    switch (transport) {
      case WS:
        return new WebSocketConnection(client);
      case SSE:
        return new SseConnection(client);
      case LONG:
        return new PollConnection(client, true);
      case SHORT:
        return new PollConnection(client, false);
      default:
        throw new IllegalArgumentException("not a transport to connect: " + transport);
    }
  }

  Transport transport() {
    return transport;
  }

  abstract void start();

  /** Releases what it holds; called by the client, once, on its thread. */
  abstract void close();

  final void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    if (openTimer != null) {
      openTimer.cancel(false);
    }
    close();
  }

  /** A publish over this connection ({@code key}: its idempotency key or null), or null: then the client publishes over HTTP. */
  CompletableFuture<Published> publish(String topic, String dataJson, String key) {
    return null;
  }

  /** A batch ({@code [{topic, data, key}]}) over this connection, answered with its results, or null: then over HTTP. */
  CompletableFuture<JsonArray> publishAll(JsonArray events) {
    return null;
  }

  /** A binary publish over this connection, or null: then the client publishes over HTTP. */
  CompletableFuture<Published> publish(String topic, byte[] bytes, String contentType, String key) {
    return null;
  }

  /** Hands a new token to the connection; null when nothing is to be done (polls send it next time). */
  CompletableFuture<Void> refresh(String token) {
    return null;
  }

  /** {@code topics} and {@code cursor}, as every transport sends them. */
  Map<String, String> subscription() {
    Map<String, String> query = new LinkedHashMap<>();
    query.put("topics", String.join(",", client.topics));
    String conflate = client.options.conflateParam();
    if (!conflate.isEmpty()) {
      query.put("conflate", conflate);
    }
    // applies only to topics the cursor does not name: the same on every reconnect
    String rewind = client.options.rewindParam(client.topics);
    if (!rewind.isEmpty()) {
      query.put("rewind", rewind);
    }
    // a poll that asks for deltas says it holds the data at its cursor: only then
    boolean polls = transport() == Transport.LONG || transport() == Transport.SHORT;
    if (client.options.deltas && (!polls || client.holdsPatchBases())) {
      query.put("delta", "merge");
    }
    if (client.compact) {
      query.put("format", "compact");
      if (client.timestamps) {
        query.put("ts", "1");
      }
    }
    String cursor = client.cursorNow();
    if (!cursor.isEmpty()) {
      query.put("cursor", cursor);
    }
    if (client.options.presence) {
      query.put("presence", "1");
      if (client.options.name != null) {
        query.put("name", client.options.name);
      }
    }
    return query;
  }

  /** In the compact format on SSE and polls, an alias is the topic's place in {@code topics=}; null: none. */
  String topicAt(int place) {
    return place >= 0 && place < client.topics.size() ? client.topics.get(place) : null;
  }

  void drop(PushClient.Drop info) {
    client.drop(this, info);
  }

  /** A poll answer's or a stream's resets and events, in the protocol's order. */
  void resets(JsonElement resets) {
    if (resets != null && resets.isJsonArray()) {
      for (JsonElement r : resets.getAsJsonArray()) {
        JsonObject reset = r.getAsJsonObject();
        client.reset(reset.get("topic").getAsString(), reset.get("from").getAsLong(),
          reset.has("epoch") ? reset.get("epoch").getAsString() : null);
      }
    }
  }
}
