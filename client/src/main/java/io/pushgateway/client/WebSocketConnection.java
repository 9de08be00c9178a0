package io.pushgateway.client;

import com.google.gson.JsonElement;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;

/** {@code /ws}: events and control frames; publishes and token refreshes go in band, with a ref. */
final class WebSocketConnection extends Connection {

  private WebSocket socket;
  private int nextRef = 1;
  /** A binary event's envelope, waiting for its binary message; client thread only. */
  private JsonObject envelope;
  /** In the compact format: alias → topic, as the subscribed frames say. */
  private final Map<Integer, String> aliases = new HashMap<>();
  private final Map<String, Pending> pending = new HashMap<>();

  WebSocketConnection(PushClient client) {
    super(client, Transport.WS);
  }

  @Override
  void start() {
    Map<String, String> query = subscription();
    query.put("binary", "1"); // binary events as raw bytes, not base64
    token = client.token();
    HttpUrl url = Http.url(client, "/ws", query);
    Request request = new Request.Builder().url(url).build();
    socket = client.http.newWebSocket(request, new WebSocketListener() {
      @Override
      public void onOpen(WebSocket ws, Response response) {
        client.run(() -> {
          if (!stopped) {
            client.opened(WebSocketConnection.this);
          }
        });
      }

      @Override
      public void onMessage(WebSocket ws, String text) {
        client.run(() -> {
          if (!stopped) {
            onFrame(text);
          }
        });
      }

      @Override
      public void onMessage(WebSocket ws, ByteString bytes) {
        client.run(() -> {
          // the bytes of the binary event whose envelope came just before
          JsonObject event = envelope;
          envelope = null;
          if (!stopped && event != null) {
            client.deliver(WebSocketConnection.this, event, bytes.toByteArray());
          }
        });
      }

      @Override
      public void onClosing(WebSocket ws, int code, String reason) {
        ws.close(code == 1005 ? 1000 : code, null);
        client.run(() -> {
          PushClient.Drop drop = new PushClient.Drop(reason == null || reason.isEmpty() ? "closed " + code : reason);
          drop.code = code;
          // 1001 going away, 1013 try again later: the gateway asks to come back at once with the cursor
          drop.soon = code == 1001 || code == 1013;
          drop(drop);
        });
      }

      @Override
      public void onFailure(WebSocket ws, Throwable t, Response response) {
        client.run(() -> {
          PushClient.Drop drop = new PushClient.Drop(response != null ? "upgrade answered " + response.code()
            : t.getMessage() == null ? t.toString() : t.getMessage());
          drop.status = response != null ? response.code() : 0;
          drop.unavailable = response != null && response.code() == 404;
          drop(drop);
        });
      }
    });
  }

  private void onFrame(String text) {
    JsonObject frame;
    try {
      JsonElement parsed = JsonParser.parseString(text);
      if (parsed.isJsonArray()) {
        client.deliverCompact(this, parsed.getAsJsonArray(), aliases::get, Map.of());
        return;
      }
      frame = parsed.getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      return;
    }
    String op = frame.has("op") ? frame.get("op").getAsString() : null;
    if (op == null) {
      if (frame.has("bytes") && !frame.has("data")) {
        envelope = frame; // a binary event: its bytes are the next message
      } else {
        client.deliver(this, frame);
      }
      return;
    }
    switch (op) {
      case "subscribed":
        client.learn(frame.get("topic").getAsString(), frame.get("id").getAsLong(),
          frame.has("epoch") ? frame.get("epoch").getAsString() : null);
        if (frame.has("alias")) {
          aliases.put(frame.get("alias").getAsInt(), frame.get("topic").getAsString());
        }
        break;
      case "reset":
        client.reset(frame.get("topic").getAsString(), frame.get("from").getAsLong(),
          frame.has("epoch") ? frame.get("epoch").getAsString() : null);
        break;
      case "presence":
      case "join":
      case "leave":
      case "occupancy":
        client.presence.frame(frame);
        break;
      case "ack":
      case "authenticated": {
        Pending p = frame.has("ref") ? pending.remove(frame.get("ref").getAsString()) : null;
        if (p != null) {
          p.timer.cancel(false);
          p.result.complete(frame);
        }
        break;
      }
      case "error": {
        Pending p = frame.has("ref") ? pending.remove(frame.get("ref").getAsString()) : null;
        PushException error = new PushException(frame.has("code") ? frame.get("code").getAsString() : null,
          frame.has("message") ? frame.get("message").getAsString() : "error", 0);
        if (p != null) {
          p.timer.cancel(false);
          p.result.completeExceptionally(error);
        } else {
          client.error("ws: " + error.code() + ": " + error.getMessage());
        }
        break;
      }
      default:
        break; // pong, presence: nothing to do here
    }
  }

  /** A frame with a ref, answered by an ack (or authenticated) or an error frame. */
  private CompletableFuture<JsonObject> request(JsonObject frame, String what) {
    return request(frame, what, null);
  }

  /** The same, with {@code bytes} sent right after the frame as one binary message. */
  private CompletableFuture<JsonObject> request(JsonObject frame, String what, byte[] bytes) {
    String ref = "r" + (nextRef++);
    frame.addProperty("ref", ref);
    CompletableFuture<JsonObject> result = new CompletableFuture<>();
    ScheduledFuture<?> timer = client.later(() -> {
      Pending p = pending.remove(ref);
      if (p != null) {
        p.result.completeExceptionally(new PushException(null, what + " timed out", 0));
      }
    }, client.options.publishTimeout.toMillis());
    pending.put(ref, new Pending(result, timer));
    if (!socket.send(frame.toString()) || bytes != null && !socket.send(ByteString.of(bytes))) {
      pending.remove(ref);
      timer.cancel(false);
      result.completeExceptionally(new PushException(null, "the connection is closing", 0));
    }
    return result;
  }

  @Override
  CompletableFuture<Published> publish(String topic, String dataJson, String key) {
    JsonObject frame = new JsonObject();
    frame.addProperty("op", "publish");
    frame.addProperty("topic", topic);
    frame.add("data", JsonParser.parseString(dataJson));
    if (key != null) {
      frame.addProperty("key", key);
    }
    return request(frame, "publish").thenApply(Published::of);
  }

  @Override
  CompletableFuture<JsonArray> publishAll(JsonArray events) {
    JsonObject frame = new JsonObject();
    frame.addProperty("op", "publish");
    frame.add("events", events);
    return request(frame, "publish").thenApply(answer -> answer.getAsJsonArray("results"));
  }

  /** Announced by a publish op, then sent as one binary message. */
  @Override
  CompletableFuture<Published> publish(String topic, byte[] bytes, String contentType, String key) {
    JsonObject frame = new JsonObject();
    frame.addProperty("op", "publish");
    frame.addProperty("topic", topic);
    frame.addProperty("contentType", contentType);
    frame.addProperty("bytes", bytes.length);
    if (key != null) {
      frame.addProperty("key", key);
    }
    return request(frame, "publish", bytes).thenApply(Published::of);
  }

  /** In band: the connection stays, with the new token's grants and expiry. */
  @Override
  CompletableFuture<Void> refresh(String token) {
    this.token = token;
    JsonObject frame = new JsonObject();
    frame.addProperty("op", "auth");
    frame.addProperty("token", token);
    return request(frame, "token refresh").thenApply(answer -> null);
  }

  @Override
  void close() {
    for (Pending p : pending.values()) {
      p.timer.cancel(false);
      // the frame may or may not have reached the gateway
      p.result.completeExceptionally(new PushException(null, "connection closed before the answer", 0));
    }
    pending.clear();
    if (socket != null) {
      socket.close(1000, null);
    }
  }

  private static final class Pending {
    final CompletableFuture<JsonObject> result;
    final ScheduledFuture<?> timer;

    Pending(CompletableFuture<JsonObject> result, ScheduledFuture<?> timer) {
      this.result = result;
      this.timer = timer;
    }
  }
}
