package io.pushgateway.loadtest.client;

import io.pushgateway.loadtest.stats.PublishSchedule;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Publishes to the gateway over one WebSocket with the protocol's {@code publish} op (events due
 * together in one op of up to {@code batch}). Binary events ({@link PayloadKind#BINARY}) carry
 * {@code seq} and {@code t} in their first 16 bytes and go as an announcing {@code publish} op and
 * one binary message.
 */
public final class GatewayPublisher extends Publisher {
  private final WebSocketClient client;
  /** For binary events: the bytes after the header, cycled through like the text payloads; else null. */
  private final byte[][] binaryPayloads;
  private WebSocket socket;

  public GatewayPublisher(Context context, WebSocketClient client, Endpoint endpoint, String topic,
                          PublishSchedule schedule, int payloadBytes, PayloadFill fill, PayloadKind kind, int batch) {
    super(context, endpoint, topic, schedule, kind == PayloadKind.TEXT ? payloadBytes : 0, fill, batch);
    this.client = client;
    this.binaryPayloads = kind == PayloadKind.BINARY
      ? fill.bytes(payloadBytes - PayloadKind.BINARY_HEADER) : null;
  }

  /** Connects; the publisher's own subscription is an idle topic because /ws needs one. */
  @Override
  public Future<Void> connect() {
    Promise<Void> connected = Promise.promise();
    context.runOnContext(v -> client
      .connect(new WebSocketConnectOptions().setHost(endpoint.host()).setPort(endpoint.port())
        .setURI("/ws?topics=" + topic + "-pub"))
      .<Void>map(ws -> {
        socket = ws;
        ws.textMessageHandler(this::onText);
        ws.closeHandler(c -> done.tryFail("publisher connection closed by the gateway"));
        return null;
      })
      .onComplete(connected));
    return connected.future();
  }

  private void onText(String text) {
    JsonObject frame = new JsonObject(text);
    String op = frame.getString("op");
    JsonArray results = frame.getJsonArray("results");
    if ("ack".equals(op) && results != null) {
      // a batch's ack: one result per event, an error or an id
      for (int i = 0; i < results.size(); i++) {
        (results.getJsonObject(i).containsKey("error") ? rejected : acked).increment();
      }
    } else if ("ack".equals(op)) {
      acked.increment();
    } else if ("error".equals(op)) {
      rejected.increment();
    }
  }

  @Override
  protected void send(long seq, long due) {
    if (binaryPayloads != null) {
      byte[] payload = binaryPayloads[(int) (seq % binaryPayloads.length)];
      Buffer bytes = Buffer.buffer(PayloadKind.BINARY_HEADER + payload.length).appendLong(seq).appendLong(due)
        .appendBytes(payload);
      schedule.markSent(seq, System.nanoTime());
      socket.writeTextMessage("{\"op\":\"publish\",\"topic\":\"" + topic + "\",\"ref\":\"" + seq
        + "\",\"contentType\":\"application/octet-stream\",\"bytes\":" + bytes.length() + "}");
      socket.writeBinaryMessage(bytes);
      return;
    }
    String frame = "{\"op\":\"publish\",\"topic\":\"" + topic + "\",\"ref\":\"" + seq + "\",\"data\":" + data(seq, due)
      + "}";
    schedule.markSent(seq, System.nanoTime());
    socket.writeTextMessage(frame);
  }

  /** Events {@code first ..} ({@code count} of them) in one publish op, {@code {"op":"publish","events":[…]}}. */
  @Override
  protected void sendBatch(long first, int count) {
    StringBuilder frame = new StringBuilder("{\"op\":\"publish\",\"ref\":\"b").append(first).append("\",\"events\":[");
    for (int i = 0; i < count; i++) {
      long seq = first + i;
      frame.append(i == 0 ? "" : ",").append("{\"topic\":\"").append(topic).append("\",\"data\":")
        .append(data(seq, schedule.dueOffsetNanos(seq))).append('}');
    }
    long sentAt = System.nanoTime();
    for (int i = 0; i < count; i++) {
      schedule.markSent(first + i, sentAt);
    }
    socket.writeTextMessage(frame.append("]}").toString());
  }

  @Override
  public Future<Void> close() {
    done.tryComplete();
    return socket == null ? Future.succeededFuture() : socket.close((short) 1000);
  }
}
