package io.pushgateway.loadtest.target;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.internal.buffer.BufferInternal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The framework's ceiling: a bare Vert.x WebSocket broadcaster that speaks just enough of the
 * gateway protocol for the load clients ({@code /ws?topics=T} answered with a {@code subscribed}
 * frame; a {@code publish} op broadcast as an event-shaped frame with an increasing id, then
 * acknowledged). Per event it builds one text frame and writes a slice of it to every connection:
 * no history, no cursor, no JSON tree, no metrics, permessage-deflate off, one event loop (a
 * second argument {@code --loops N} changes that). Runs as its own JVM, like the gateway target,
 * so its CPU and memory are read apart from the load generator's.
 */
public final class BaselineServer {
  private final Map<String, List<ServerWebSocket>> topics = new HashMap<>();
  private final Map<String, long[]> ids = new HashMap<>();

  private BaselineServer() {
  }

  /** {@code --host H --port P [--loops N]}. */
  public static void main(String[] args) {
    String host = "127.0.0.1";
    int port = 8090;
    int loops = 1;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--host" -> host = args[i + 1];
        case "--port" -> port = Integer.parseInt(args[i + 1]);
        case "--loops" -> loops = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(loops));
    BaselineServer server = new BaselineServer();
    HttpServerOptions options = new HttpServerOptions().setHost(host).setPort(port).setTcpNoDelay(true)
      .setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false)
      .setAcceptBacklog(4096);
    // one server on one event loop: every connection and every broadcast on the same thread
    vertx.createHttpServer(options)
      .webSocketHandler(server::accept)
      .requestHandler(BaselineServer::http)
      .listen()
      .await();
  }

  private static void http(HttpServerRequest req) {
    req.response().setStatusCode(req.path().equals("/ready") ? 200 : 404).end();
  }

  private void accept(ServerWebSocket ws) {
    if (!ws.path().equals("/ws")) {
      ws.close((short) 1008);
      return;
    }
    String query = ws.query() == null ? "" : ws.query();
    int at = query.indexOf("topics=");
    String topic = at < 0 ? "" : query.substring(at + 7).split("[&,]", 2)[0];
    List<ServerWebSocket> subs = topics.computeIfAbsent(topic, t -> new ArrayList<>());
    subs.add(ws);
    ws.closeHandler(v -> subs.remove(ws));
    ws.exceptionHandler(err -> { });
    ws.textMessageHandler(text -> onText(ws, text));
    ws.writeTextMessage("{\"op\":\"subscribed\",\"topic\":\"" + topic + "\",\"id\":" + id(topic)[0]
      + ",\"epoch\":\"baseline\"}");
  }

  private long[] id(String topic) {
    return ids.computeIfAbsent(topic, t -> new long[1]);
  }

  /** Just enough string work to find topic, ref and data of {@code {"op":"publish",...}}. */
  private void onText(ServerWebSocket from, String text) {
    if (!text.contains("\"op\":\"publish\"")) {
      return;
    }
    String topic = field(text, "\"topic\":\"");
    String ref = field(text, "\"ref\":\"");
    int data = text.indexOf("\"data\":");
    if (topic == null || data < 0) {
      return;
    }
    int end = text.lastIndexOf('}');
    long id = ++id(topic)[0];
    Buffer frame = Buffer.buffer("{\"topic\":\"" + topic + "\",\"id\":" + id + ",\"ts\":" + System.currentTimeMillis()
      + ",\"data\":" + text.substring(data + 7, end) + "}");
    ByteBuf bytes = ((BufferInternal) frame).getByteBuf();
    List<ServerWebSocket> subs = topics.get(topic);
    if (subs != null) {
      for (int i = 0, n = subs.size(); i < n; i++) {
        subs.get(i).writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, bytes.duplicate(), true));
      }
    }
    from.writeTextMessage("{\"op\":\"ack\",\"ref\":\"" + ref + "\",\"topic\":\"" + topic + "\",\"id\":" + id + "}");
  }

  private static String field(String text, String key) {
    int at = text.indexOf(key);
    if (at < 0) {
      return null;
    }
    int start = at + key.length();
    int end = text.indexOf('"', start);
    return end < 0 ? null : text.substring(start, end);
  }
}
