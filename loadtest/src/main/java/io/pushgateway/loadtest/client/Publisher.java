package io.pushgateway.loadtest.client;

import io.pushgateway.loadtest.stats.PublishSchedule;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.LongAdder;

/**
 * Publishes the run's events over one WebSocket straight to the gateway (not through the proxy:
 * only subscriber traffic is counted), with the protocol's {@code publish} op. Each event's data is
 * {@code {"seq":n,"t":<due time, ns after the run's origin>,"p":"<payload>"}}, the payload made as
 * {@link PayloadFill} says; publisher and subscribers share this process's clock, so latency needs
 * no clock sync. Binary events ({@link PayloadKind#BINARY}) carry {@code seq} and {@code t} in their
 * first 16 bytes and go as an announcing {@code publish} op and one binary message.
 */
public final class Publisher {
  private final Context context;
  private final Vertx vertx;
  private final WebSocketClient client;
  private final Endpoint endpoint;
  private final String topic;
  private final PublishSchedule schedule;
  private final String[] payloads;
  /** For binary events: the bytes after the header, cycled through like {@link #payloads}; else null. */
  private final byte[][] binaryPayloads;
  /** Events due together go in one publish op of up to this many. */
  private final int batch;
  private final Promise<Void> done = Promise.promise();
  private final LongAdder acked = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private WebSocket socket;
  private long next;
  private long maxLagNanos;

  /** {@code context}: the event loop the publisher owns; its socket and timers live there. */
  public Publisher(Context context, WebSocketClient client, Endpoint endpoint, String topic, PublishSchedule schedule,
                   int payloadBytes, PayloadFill fill, PayloadKind kind, int batch) {
    this.batch = batch;
    this.context = context;
    this.vertx = context.owner();
    this.client = client;
    this.endpoint = endpoint;
    this.topic = topic;
    this.schedule = schedule;
    this.payloads = kind == PayloadKind.TEXT ? fill.payloads(payloadBytes) : null;
    this.binaryPayloads = kind == PayloadKind.BINARY
      ? fill.bytes(payloadBytes - PayloadKind.BINARY_HEADER) : null;
  }

  /** Connects; the publisher's own subscription is an idle topic because /ws needs one. */
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

  /** Runs the timetable on the publisher's event loop; completes after the last event is sent. */
  public Future<Void> start() {
    // the socket's own event loop: writes need no hop to another thread
    context.runOnContext(v -> tick());
    return done.future();
  }

  private void tick() {
    if (done.future().isComplete()) {
      return;
    }
    long now = System.nanoTime();
    long total = schedule.totalEvents();
    while (next < total && isDue(next, now)) {
      if (batch == 1) {
        send(next++, now);
        continue;
      }
      int count = 1;
      while (count < batch && next + count < total && isDue(next + count, now)) {
        count++;
      }
      sendBatch(next, count, now);
      next += count;
    }
    if (next >= total) {
      done.tryComplete();
      return;
    }
    long wait = schedule.originNanos() + schedule.dueOffsetNanos(next) - System.nanoTime();
    vertx.setTimer(Math.max(1, wait / 1_000_000L), id -> tick());
  }

  private void send(long seq, long now) {
    long due = schedule.dueOffsetNanos(seq);
    maxLagNanos = Math.max(maxLagNanos, now - schedule.originNanos() - due);
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

  /** An event's data: {@code {"seq":n,"t":<due>,"p":"<payload>"}}. */
  private String data(long seq, long due) {
    return "{\"seq\":" + seq + ",\"t\":" + due + ",\"p\":\"" + payloads[(int) (seq % payloads.length)] + "\"}";
  }

  private boolean isDue(long seq, long now) {
    return schedule.originNanos() + schedule.dueOffsetNanos(seq) <= now;
  }

  /** Events {@code first ..} ({@code count} of them) in one publish op, {@code {"op":"publish","events":[…]}}. */
  private void sendBatch(long first, int count, long now) {
    StringBuilder frame = new StringBuilder("{\"op\":\"publish\",\"ref\":\"b").append(first).append("\",\"events\":[");
    for (int i = 0; i < count; i++) {
      long seq = first + i;
      long due = schedule.dueOffsetNanos(seq);
      maxLagNanos = Math.max(maxLagNanos, now - schedule.originNanos() - due);
      frame.append(i == 0 ? "" : ",").append("{\"topic\":\"").append(topic).append("\",\"data\":")
        .append(data(seq, due)).append('}');
    }
    long sentAt = System.nanoTime();
    for (int i = 0; i < count; i++) {
      schedule.markSent(first + i, sentAt);
    }
    socket.writeTextMessage(frame.append("]}").toString());
  }

  public long sent() {
    return next;
  }

  public long acked() {
    return acked.sum();
  }

  public long rejected() {
    return rejected.sum();
  }

  /** How far behind its timetable the publisher fell at worst, in ms: its own health check. */
  public double maxLagMs() {
    return maxLagNanos / 1e6;
  }

  public Future<Void> close() {
    done.tryComplete();
    return socket == null ? Future.succeededFuture() : socket.close((short) 1000);
  }
}
