package io.pushgateway.loadtest.client;

import io.pushgateway.loadtest.stats.SubscriberTracker;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * WebSocket subscriber: {@code GET /ws?topics=T} upgraded, ready on the {@code subscribed} frame.
 * If the gateway closes it (1001 draining, 1013 slow consumer), it reconnects with the full cursor
 * {@code T:lastId:epoch}, as the protocol asks, and nothing should be lost.
 */
final class WsLoadClient implements LoadClient {
  private final ClientContext ctx;
  private final Endpoint endpoint;
  private final SubscriberTracker tracker;
  private final Promise<Void> ready = Promise.promise();
  private WebSocket socket;
  private String epoch;
  private int attempts;
  private boolean closed;
  private boolean deflateCounted;
  /** The id of a binary event whose envelope came, waiting for its binary frame; -1 when none. */
  private long envelopeId = -1;

  WsLoadClient(ClientContext ctx, Endpoint endpoint, SubscriberTracker tracker) {
    this.ctx = ctx;
    this.endpoint = endpoint;
    this.tracker = tracker;
  }

  @Override
  public Future<Void> start() {
    connect();
    return ready.future();
  }

  private void connect() {
    // binary events as raw bytes in a binary frame, as a browser would ask for them
    String uri = "/ws?topics=" + ctx.topic() + "&binary=1" + ctx.formatQuery();
    if (tracker.lastId() >= 0 && epoch != null) {
      uri += "&cursor=" + ctx.topic() + ":" + tracker.lastId() + ":" + epoch;
    }
    attempts++;
    // Handlers go on before the connection exists: the first frame may arrive with the handshake's
    // answer and must not find the socket without them.
    ClientWebSocket ws = ctx.ws().webSocket();
    ws.textMessageHandler(this::onText);
    ws.binaryMessageHandler(this::onBinary);
    ws.exceptionHandler(err -> tracker.stats().errors.increment());
    ws.closeHandler(v -> {
      if (socket != ws) {
        return; // never attached: a failed connect is retried by retry()
      }
      socket = null;
      if (!closed) {
        tracker.stats().reconnects.increment();
        ctx.vertx().setTimer(ClientContext.RECONNECT_DELAY_MS, id -> connect());
      }
    });
    ws.connect(new WebSocketConnectOptions().setHost(endpoint.host()).setPort(endpoint.port()).setURI(uri)
        .setHeaders(ctx.headers()))
      .onSuccess(v -> attach(ws))
      .onFailure(this::retry);
  }

  private void attach(WebSocket ws) {
    if (closed) {
      ws.close();
      return;
    }
    socket = ws;
    countDeflate(ws);
  }

  /** Whether the gateway's handshake answer accepted the permessage-deflate the client may have offered. */
  private void countDeflate(WebSocket ws) {
    String extensions = ws.headers() == null ? null : ws.headers().get("Sec-WebSocket-Extensions");
    if (!deflateCounted && extensions != null && extensions.contains("permessage-deflate")) {
      deflateCounted = true;
      tracker.stats().deflateNegotiated.increment();
    }
  }

  private void onText(String text) {
    if (Events.deliverFast(text, tracker) || Events.deliverCompact(text, Events.NO_ID, tracker)) {
      return;
    }
    JsonObject m;
    try {
      m = new JsonObject(text);
    } catch (DecodeException e) {
      tracker.stats().errors.increment();
      return;
    }
    String op = m.getString("op");
    if (op == null && m.containsKey("bytes") && !m.containsKey("data")) {
      envelopeId = m.getLong("id", -1L); // a binary event: its bytes are the next message
      return;
    }
    if (op == null) {
      Events.deliver(m, tracker);
      return;
    }
    switch (op) {
      case "subscribed" -> {
        epoch = m.getString("epoch", epoch);
        tracker.startAt(m.getLong("id", 0L));
        ready.tryComplete();
      }
      case "reset" -> {
        epoch = m.getString("epoch", epoch);
        tracker.onReset(m.getLong("from", 1L));
      }
      case "error" -> tracker.stats().errors.increment();
      default -> { }
    }
  }

  private void onBinary(Buffer bytes) {
    long id = envelopeId;
    envelopeId = -1;
    if (id < 0) {
      tracker.stats().errors.increment();
      return;
    }
    Events.deliverBinary(id, bytes, tracker);
  }

  private void retry(Throwable err) {
    if (closed) {
      return;
    }
    tracker.stats().errors.increment();
    if (ClientContext.giveUpStarting(ready, attempts,
      new IllegalStateException("ws subscriber could not connect to " + endpoint + ": " + err.getMessage(), err))) {
      return;
    }
    ctx.vertx().setTimer(ClientContext.RECONNECT_DELAY_MS, id -> connect());
  }

  @Override
  public Future<Void> close() {
    closed = true;
    return socket == null ? Future.succeededFuture() : socket.close((short) 1000);
  }
}
