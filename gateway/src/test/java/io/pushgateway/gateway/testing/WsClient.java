package io.pushgateway.gateway.testing;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** WebSocket subscriber: builds its cursor from {@code subscribed}/{@code reset} epochs and event ids. */
public final class WsClient extends StreamClient {

  private static final java.util.Set<String> PRESENCE_OPS = java.util.Set.of("presence", "join", "leave", "occupancy");
  private final Map<String, String> positions = new LinkedHashMap<>();
  private final List<JsonObject> controls = new CopyOnWriteArrayList<>();
  private final List<byte[]> binaries = new CopyOnWriteArrayList<>();
  /** "text" or "binary" per message received, in order. */
  private final List<String> kinds = new CopyOnWriteArrayList<>();
  private WebSocketClient client;
  private WebSocket socket;
  private volatile Short closeCode;
  private volatile String closeReason;

  public WsClient(Vertx vertx, int port) {
    super(vertx, port);
  }

  @Override
  public WsClient open(String topics) throws Exception {
    return open(topics, null);
  }

  @Override
  public WsClient open(String topics, String cursor) throws Exception {
    int expected = topics.split(",").length;
    subscription(topics, cursor);
    Promise<Void> subscribed = Promise.promise();
    // big enough for the largest event a test sends (binary events of a few hundred kB)
    client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(16 << 20)
      .setMaxMessageSize(16 << 20));
    WebSocketClient connecting = client;
    String uri = "/ws?topics=" + topics + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8))
      + extraQuery;
    // Handlers go on before the connection exists: the first frame may share a packet with the
    // handshake's answer, and must not find the socket without them.
    ClientWebSocket ws = connecting.webSocket();
    ws.closeHandler(v -> {
      closeReason = ws.closeReason();
      closeCode = ws.closeStatusCode();
    });
    ws.textMessageHandler(text -> {
      kinds.add("text");
      onFrame(text, expected, subscribed);
    });
    ws.binaryMessageHandler(bytes -> {
      kinds.add("binary");
      binaries.add(bytes.getBytes());
    });
    socket = onContext(() -> ws.connect(new WebSocketConnectOptions().setHost("localhost").setPort(port).setURI(uri)))
      .await(OPEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    subscribed.future().await(OPEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    return this;
  }

  private void onFrame(String text, int expected, Promise<Void> subscribed) {
    JsonObject frame;
    if (text.startsWith("[")) {
      frame = compact.expand(new JsonArray(text), Map.of());
    } else {
      frame = new JsonObject(text);
      if (compact != null && frame.getString("op") == null) {
        compact.saw(frame);
      }
    }
    String op = frame.getString("op");
    if (op == null) {
      synchronized (this) {
        positions.put(frame.getString("topic"), frame.getLong("id") + ":" + epoch(frame.getString("topic")));
        updateCursor();
      }
      onEvent(frame);
      return;
    }
    controls.add(frame);
    if (PRESENCE_OPS.contains(op)) {
      onPresence(frame);
    } else if (op.equals("subscribed")) {
      if (compact != null) {
        compact.alias(frame.getInteger("alias"), frame.getString("topic"));
        if (!compact.knows(frame.getString("topic"))) {
          compact.at(frame.getString("topic"), frame.getLong("id"));
        }
      }
      synchronized (this) {
        positions.put(frame.getString("topic"), frame.getLong("id") + ":" + frame.getString("epoch"));
        updateCursor();
      }
      if (controls.stream().filter(c -> "subscribed".equals(c.getString("op"))).count() >= expected) {
        subscribed.tryComplete();
      }
    } else if (op.equals("reset")) {
      if (compact != null) {
        compact.at(frame.getString("topic"), frame.getLong("from") - 1);
      }
      synchronized (this) {
        positions.put(frame.getString("topic"), (frame.getLong("from") - 1) + ":" + frame.getString("epoch"));
        updateCursor();
      }
      onReset(frame);
    }
  }

  private String epoch(String topic) {
    String position = positions.get(topic);
    return position == null ? "" : position.substring(position.indexOf(':') + 1);
  }

  private void updateCursor() {
    StringBuilder sb = new StringBuilder();
    positions.forEach((topic, position) -> sb.append(sb.length() == 0 ? "" : ",").append(topic).append(':').append(position));
    onCursor(sb.toString());
  }

  public void send(JsonObject frame) {
    socket.writeTextMessage(frame.encode()).await();
  }

  /** The binary messages received, in order. */
  public List<byte[]> binaries() {
    return binaries;
  }

  /** "text" or "binary" for every message received, in order. */
  public List<String> kinds() {
    return kinds;
  }

  public List<JsonObject> controls() {
    return List.copyOf(controls);
  }

  public WebSocket socket() {
    return socket;
  }

  public Short closeCode() {
    return closeCode;
  }

  /** The reason of the server's close frame, once {@link #closeCode} is set. */
  public String closeReason() {
    return closeReason;
  }

  @Override
  public void close() throws Exception {
    if (socket != null && !socket.isClosed()) {
      socket.close().await(5, TimeUnit.SECONDS);
    }
    if (client != null) {
      client.close().await(5, TimeUnit.SECONDS);
    }
  }
}
