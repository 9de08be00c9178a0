package io.pushgateway.loadtest.client;

import io.pushgateway.loadtest.stats.SubscriberTracker;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Nchan WebSocket subscriber: {@code GET /sub/<channel>} upgraded with the subprotocol {@code
 * ws+meta.nchan}, so every frame is {@code id: <time:tag>\n[content-type: …\n]\n<data>}. When the
 * connection drops it reconnects with {@code ?last_event_id=} the last id seen, Nchan's resume.
 */
final class NchanWsClient implements LoadClient {
  private final ClientContext ctx;
  private final Endpoint endpoint;
  private final SubscriberTracker tracker;
  private final Promise<Void> ready = Promise.promise();
  private ClientWebSocket socket;
  private String lastId;
  private boolean closed;

  NchanWsClient(ClientContext ctx, Endpoint endpoint, SubscriberTracker tracker) {
    this.ctx = ctx;
    this.endpoint = endpoint;
    this.tracker = tracker;
  }

  @Override
  public Future<Void> start() {
    connect().onFailure(err -> {
      tracker.stats().errors.increment();
      reconnect();
    });
    return ready.future();
  }

  private Future<Void> connect() {
    String uri = "/sub/" + ctx.topic()
      + (lastId == null ? "" : "?last_event_id=" + URLEncoder.encode(lastId, StandardCharsets.UTF_8));
    ClientWebSocket ws = ctx.ws().webSocket();
    ws.textMessageHandler(this::onFrame);
    ws.exceptionHandler(err -> tracker.stats().errors.increment());
    ws.closeHandler(v -> {
      if (socket == ws) {
        socket = null;
        reconnect();
      }
    });
    return ws.connect(new WebSocketConnectOptions().setHost(endpoint.host()).setPort(endpoint.port()).setURI(uri)
        .setHeaders(ctx.headers()).setSubProtocols(List.of("ws+meta.nchan")))
      .map(v -> {
        socket = ws;
        if (closed) {
          ws.close();
        }
        return null;
      });
  }

  private void onFrame(String frame) {
    int eol = frame.indexOf('\n');
    int end = frame.indexOf("\n\n", Math.max(0, eol - 1));
    if (!frame.startsWith("id: ") || eol < 0 || end < 0) {
      tracker.stats().errors.increment();
      return;
    }
    lastId = frame.substring(4, eol);
    NchanMessages.deliver(frame.substring(end + 2), tracker, ready);
  }

  private void reconnect() {
    Reconnect.later(ctx, tracker, () -> closed, this::connect);
  }

  @Override
  public Future<Void> close() {
    closed = true;
    return socket == null ? Future.succeededFuture() : socket.close((short) 1000);
  }
}
