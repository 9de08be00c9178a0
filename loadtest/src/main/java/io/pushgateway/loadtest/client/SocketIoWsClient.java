package io.pushgateway.loadtest.client;

import io.pushgateway.loadtest.stats.SubscriberTracker;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketConnectOptions;

/** Socket.IO over Engine.IO's WebSocket transport: one packet per frame ({@link SocketIoSession}). */
final class SocketIoWsClient implements LoadClient {
  static final String PATH = "/socket.io/?EIO=4&transport=websocket";

  private final ClientContext ctx;
  private final Endpoint endpoint;
  private final SubscriberTracker tracker;
  private final Promise<Void> ready = Promise.promise();
  private ClientWebSocket socket;
  private boolean closed;

  SocketIoWsClient(ClientContext ctx, Endpoint endpoint, SubscriberTracker tracker) {
    this.ctx = ctx;
    this.endpoint = endpoint;
    this.tracker = tracker;
  }

  @Override
  public Future<Void> start() {
    connect().onFailure(ready::tryFail);
    return ready.future();
  }

  private Future<Void> connect() {
    ClientWebSocket ws = ctx.ws().webSocket();
    SocketIoSession session = new SocketIoSession(ctx.topic(), tracker, ready, ws::writeTextMessage);
    ws.textMessageHandler(session::onPacket);
    ws.exceptionHandler(err -> tracker.stats().errors.increment());
    ws.closeHandler(v -> {
      if (socket == ws) {
        socket = null;
        Reconnect.later(ctx, tracker, () -> closed, this::connect);
      }
    });
    return ws.connect(new WebSocketConnectOptions().setHost(endpoint.host()).setPort(endpoint.port()).setURI(PATH)
        .setHeaders(ctx.headers()))
      .map(v -> {
        socket = ws;
        if (closed) {
          ws.close();
        }
        return null;
      });
  }

  @Override
  public Future<Void> close() {
    closed = true;
    return socket == null ? Future.succeededFuture() : socket.close((short) 1000);
  }
}
