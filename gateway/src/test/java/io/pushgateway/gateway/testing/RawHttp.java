package io.pushgateway.gateway.testing;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/1.1 over a plain TCP socket: the request line goes out byte for byte, as an attacker would
 * send it, where HTTP clients normalise {@code //}, dot segments or escapes away. One request per
 * connection ({@code Connection: close}); the answer is read until the server closes, its
 * {@code Content-Length} is complete, or its head shows a stream ({@code 101}, an event stream)
 * that would never end. Bounded by a timeout.
 */
public final class RawHttp implements AutoCloseable {

  private static final long TIMEOUT_MILLIS = 10_000;

  private final Vertx vertx;
  private final int port;
  private final NetClient client;
  /** The socket's callbacks and the timeout all run on this one event loop. */
  private final Context context;

  public RawHttp(Vertx vertx, int port) {
    this.vertx = vertx;
    this.port = port;
    this.client = vertx.createNetClient();
    this.context = vertx.getOrCreateContext();
  }

  /** A GET or POST ({@code body} JSON, may be null) with optional extra header lines. */
  public Reply send(String method, String target, String body, String... headerLines) throws Exception {
    StringBuilder request = new StringBuilder()
      .append(method).append(' ').append(target).append(" HTTP/1.1\r\n")
      .append("Host: 127.0.0.1:").append(port).append("\r\n");
    boolean upgrade = false;
    for (String line : headerLines) {
      upgrade |= line.regionMatches(true, 0, "Connection:", 0, 11);
    }
    if (!upgrade) {
      request.append("Connection: close\r\n");
    }
    for (String line : headerLines) {
      request.append(line).append("\r\n");
    }
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    if (body != null) {
      request.append("Content-Type: application/json\r\nContent-Length: ").append(bytes.length).append("\r\n");
    }
    request.append("\r\n");
    Buffer wire = Buffer.buffer(request.toString().getBytes(StandardCharsets.ISO_8859_1)).appendBytes(bytes);
    return StreamClient.onContext(context, () -> exchange(wire)).await(TIMEOUT_MILLIS + 5_000, TimeUnit.MILLISECONDS);
  }

  /** A POST of {@code body} as {@code contentType}, sent whole. */
  public Reply post(String target, String contentType, byte[] body) throws Exception {
    String head = "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n"
      + "Content-Type: " + contentType + "\r\nContent-Length: " + body.length + "\r\n\r\n";
    Buffer wire = Buffer.buffer(head.getBytes(StandardCharsets.ISO_8859_1)).appendBytes(body);
    return StreamClient.onContext(context, () -> exchange(wire)).await(TIMEOUT_MILLIS + 5_000, TimeUnit.MILLISECONDS);
  }

  /** A WebSocket handshake (RFC 6455 §4.1) on {@code target}. */
  public Reply upgrade(String target, String... headerLines) throws Exception {
    String[] lines = new String[headerLines.length + 4];
    lines[0] = "Upgrade: websocket";
    lines[1] = "Connection: Upgrade";
    lines[2] = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==";
    lines[3] = "Sec-WebSocket-Version: 13";
    System.arraycopy(headerLines, 0, lines, 4, headerLines.length);
    return send("GET", target, null, lines);
  }

  private Future<Reply> exchange(Buffer wire) {
    Promise<Reply> done = Promise.promise();
    Buffer received = Buffer.buffer();
    client.connect(port, "127.0.0.1").onFailure(done::tryFail).onSuccess(socket -> {
      long timer = vertx.setTimer(TIMEOUT_MILLIS, t -> {
        done.tryComplete(Reply.parse(received));
        socket.close();
      });
      socket.handler(data -> {
        received.appendBuffer(data);
        Reply reply = Reply.parse(received);
        if (reply.complete()) {
          vertx.cancelTimer(timer);
          done.tryComplete(reply);
          socket.close();
        }
      });
      socket.closeHandler(v -> {
        vertx.cancelTimer(timer);
        done.tryComplete(Reply.parse(received));
      });
      socket.write(wire);
    });
    return done.future();
  }

  @Override
  public void close() throws Exception {
    client.close().await(5, TimeUnit.SECONDS);
  }

  /** What came back; {@code status} is -1 when not even a status line did. */
  public record Reply(int status, String head, String body, boolean complete) {

    static Reply parse(Buffer received) {
      String text = received.toString(StandardCharsets.ISO_8859_1);
      int end = text.indexOf("\r\n\r\n");
      if (!text.startsWith("HTTP/1.1 ") || text.length() < 12) {
        return new Reply(-1, text, "", false);
      }
      int status = Integer.parseInt(text.substring(9, 12));
      if (end < 0) {
        return new Reply(status, text, "", false);
      }
      String head = text.substring(0, end);
      String body = new String(received.getBytes(end + 4, received.length()), StandardCharsets.UTF_8);
      String length = header(head, "content-length");
      boolean streaming = status == 101 || String.valueOf(header(head, "content-type")).startsWith("text/event-stream");
      boolean complete = streaming || (length != null && body.getBytes(StandardCharsets.UTF_8).length >= Integer.parseInt(length));
      return new Reply(status, head, body, complete);
    }

    /** A header's value (the first), or null. */
    public String header(String name) {
      return header(head, name);
    }

    private static String header(String head, String name) {
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }

    /** The body as JSON, or null when it is not a JSON object. */
    public JsonObject json() {
      try {
        return new JsonObject(body);
      } catch (RuntimeException e) {
        return null;
      }
    }

    public String errorCode() {
      JsonObject json = json();
      return json == null || json.getJsonObject("error") == null ? null : json.getJsonObject("error").getString("code");
    }
  }
}
