package io.pushgateway.client;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;

/**
 * {@code /sse}: each event's {@code id:} is the full cursor after it. The client owns reconnects
 * (with its cursor), so a stream that ends is dropped, not reopened by the event source.
 */
final class SseConnection extends Connection {

  private EventSource source;

  SseConnection(PushClient client) {
    super(client, Transport.SSE);
  }

  /**
   * The stream says nothing until its first event, so topics the cursor does not name are pinned
   * to "now" first (or, with a rewind, to the events it rewinds to, delivered here): a reconnect
   * before any event would otherwise skip ahead silently.
   */
  @Override
  void start() {
    List<String> unknown = new ArrayList<>();
    for (String topic : client.topics) {
      if (client.position(topic) == null) {
        unknown.add(topic);
      }
    }
    if (unknown.isEmpty()) {
      open();
      return;
    }
    Map<String, String> pin = new LinkedHashMap<>();
    pin.put("topics", String.join(",", unknown));
    String rewind = client.options.rewindParam(unknown);
    if (!rewind.isEmpty()) {
      pin.put("rewind", rewind);
    }
    Http.json(client, client.http.newCall(Http.request(client, Http.url(client, "/poll", pin)).build()))
      .whenComplete((body, failure) -> client.run(() -> {
        if (stopped) {
          return;
        }
        if (body != null && body.has("events")) {
          for (JsonElement event : body.getAsJsonArray("events")) {
            client.deliver(this, event.getAsJsonObject());
          }
        }
        if (body != null && body.has("cursor")) {
          client.acceptCursor(body.get("cursor").getAsString());
        }
        open(); // short polling may be off: the stream then starts at "now"
      }));
  }

  private void open() {
    token = client.token();
    Request request = new Request.Builder().url(Http.url(client, "/sse", subscription()))
      .header("Accept", "text/event-stream").build();
    source = EventSources.createFactory(client.http).newEventSource(request, new Listener(request));
  }

  /** An event source cannot change its URL: a new one, from the cursor, is the same connection. */
  @Override
  java.util.concurrent.CompletableFuture<Void> refresh(String token) {
    if (!stopped) {
      close();
      open();
    }
    return null;
  }

  @Override
  void close() {
    if (source != null) {
      source.cancel();
    }
  }

  private final class Listener extends EventSourceListener {
    private final Request request;

    Listener(Request request) {
      this.request = request;
    }

    private boolean current(EventSource es) {
      return !stopped && es == source;
    }

    @Override
    public void onOpen(EventSource es, Response response) {
      client.run(() -> {
        if (current(es) && !opened) {
          client.opened(SseConnection.this);
        }
      });
    }

    @Override
    public void onEvent(EventSource es, String id, String type, String data) {
      client.run(() -> {
        if (!current(es)) {
          return;
        }
        JsonObject json;
        try {
          JsonElement parsed = JsonParser.parseString(data);
          boolean patch = "patch".equals(type);
          if (client.compact && (type == null || type.equals("message") || patch)) {
            // the id line holds every id, in the topics' order; with one topic the data (or a
            // patch, an event of its own type) comes alone
            JsonArray compact;
            if (client.topics.size() == 1 && !client.timestamps) {
              compact = new JsonArray();
              compact.add(patch ? -1 : 0);
              compact.add(parsed);
            } else {
              compact = parsed.getAsJsonArray();
            }
            client.deliverCompact(SseConnection.this, compact, SseConnection.this::topicAt,
              PushClient.Cursors.parse(id, client.topics));
            if (!stopped && id != null) {
              client.acceptCursor(id);
            }
            return;
          }
          json = parsed.getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
          return;
        }
        // the compact format's binary events come in full, as events of their own type
        if (type == null || type.equals("message") || type.equals("binary")) {
          client.deliver(SseConnection.this, json);
          // the id is the full cursor after this event (unless the event made the client leave)
          if (!stopped && id != null) {
            client.acceptCursor(id);
          }
        } else if (type.equals("reset")) {
          client.reset(json.get("topic").getAsString(), json.get("from").getAsLong(),
            json.has("epoch") ? json.get("epoch").getAsString() : null);
        } else if (type.equals("presence")) {
          client.presence.frame(json);
        }
      });
    }

    @Override
    public void onClosed(EventSource es) {
      client.run(() -> {
        if (current(es)) {
          drop(new PushClient.Drop("event stream ended"));
        }
      });
    }

    @Override
    public void onFailure(EventSource es, Throwable t, Response response) {
      client.run(() -> {
        if (!current(es)) {
          return;
        }
        PushClient.Drop drop = new PushClient.Drop(response != null ? "event stream answered " + response.code()
          : t == null ? "event stream failed" : String.valueOf(t.getMessage()));
        drop.status = response != null ? response.code() : 0;
        drop.unavailable = response != null && response.code() == 404;
        drop(drop);
      });
    }
  }
}
