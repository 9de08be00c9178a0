package io.pushgateway.gateway.testing;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Server-Sent Events subscriber with a small parser of the event-stream format; its cursor is
 * the last {@code id:} seen, which it sends as {@code Last-Event-ID} when asked to, as a browser
 * reconnecting would.
 */
public final class SseClient extends StreamClient {

  private HttpClient client;
  private final StringBuilder pending = new StringBuilder();
  private String id;
  private String eventType;
  private final StringBuilder data = new StringBuilder();
  private volatile boolean ended;
  private volatile int status;

  public SseClient(Vertx vertx, int port) {
    super(vertx, port);
  }

  @Override
  public SseClient open(String topics) throws Exception {
    return open(topics, null, null);
  }

  @Override
  public SseClient open(String topics, String cursor) throws Exception {
    return open(topics, cursor, null);
  }

  public SseClient open(String topics, String cursor, String lastEventId) throws Exception {
    subscription(topics, lastEventId != null ? lastEventId : cursor);
    client = vertx.createHttpClient();
    String uri = "/sse?topics=" + topics + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8))
      + extraQuery;
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("localhost").setPort(port).setURI(uri);
    if (lastEventId != null) {
      options.putHeader("Last-Event-ID", lastEventId);
    }
    Promise<Void> opened = Promise.promise();
    // Handlers go on inside the chain, on the event loop, so no chunk can arrive before them.
    HttpClient http = client;
    HttpClientResponse response = onContext(() -> http.request(options).compose(r -> r.send())
      .map(r -> {
        r.handler(chunk -> {
          onChunk(chunk);
          opened.tryComplete();
        });
        r.endHandler(v -> ended = true);
        return r;
      }))
      .await(OPEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    status = response.statusCode();
    if (status != 200) {
      return this;
    }
    opened.future().await(OPEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    return this;
  }

  public int status() {
    return status;
  }

  public boolean ended() {
    return ended;
  }

  private synchronized void onChunk(Buffer chunk) {
    pending.append(chunk.toString(StandardCharsets.UTF_8));
    int newline;
    while ((newline = pending.indexOf("\n")) >= 0) {
      String line = pending.substring(0, newline);
      pending.delete(0, newline + 1);
      onLine(line);
    }
  }

  private void onLine(String line) {
    if (line.isEmpty()) {
      dispatch();
    } else if (line.startsWith(":")) {
      return; // comment: keep-alive
    }
    // field:value, one space after the colon dropped if there is one (the compact format sends none)
    int colon = line.indexOf(':');
    String field = colon < 0 ? line : line.substring(0, colon);
    String value = colon < 0 ? "" : line.substring(line.startsWith(" ", colon + 1) ? colon + 2 : colon + 1);
    switch (field) {
      case "id" -> id = value;
      case "event" -> eventType = value;
      case "data" -> data.append(value);
      default -> { }
    }
  }

  private void dispatch() {
    if (id != null) {
      onCursor(id);
    }
    if (data.length() > 0) {
      String text = data.toString();
      if (eventType == null || eventType.equals("message")) {
        // the compact format's events are read back into full objects
        onEvent(compact == null ? new JsonObject(text) : compact.expandSse(text, compact.ids(id)));
      } else if (eventType.equals("patch")) {
        onEvent(compact.expandSse(text, compact.ids(id), true)); // a compact one-topic stream's patch
      } else if (eventType.equals("binary")) {
        onEvent(compact.saw(new JsonObject(text))); // the compact format's binary events, in full
      } else if (eventType.equals("reset")) {
        JsonObject reset = new JsonObject(text);
        if (compact != null) {
          compact.at(reset.getString("topic"), reset.getLong("from") - 1);
        }
        onReset(reset);
      } else if (eventType.equals("presence")) {
        onPresence(new JsonObject(text));
      }
    }
    data.setLength(0);
    eventType = null;
  }

  @Override
  public void close() throws Exception {
    if (client != null) {
      client.close().await(5, TimeUnit.SECONDS);
    }
  }
}
