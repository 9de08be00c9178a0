package io.pushgateway.loadtest.client;

import io.pushgateway.loadtest.stats.SubscriberTracker;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * A Socket.IO subscriber as socket.io-client runs one. It starts on Engine.IO's HTTP
 * long-polling: one connection holds the {@code GET} that waits for packets, a second sends the
 * client's packets by {@code POST}, so a pong never waits for the held GET; packets in a body are
 * separated by the record separator (0x1e), and the handshake's {@code sid} names the session on
 * every request. Once in the room, a subscriber that {@code upgrades} (socket.io-client's default)
 * probes a WebSocket with the same {@code sid} ({@code 2probe}, {@code 3probe}), sends the
 * upgrade ({@code 5}) and from then on sends and receives there; the held GET is let go with a
 * noop. One that does not stays on long-polling.
 */
final class SocketIoPollClient implements LoadClient {
  static final String POLLING = "/socket.io/?EIO=4&transport=polling";
  static final String WEBSOCKET = "/socket.io/?EIO=4&transport=websocket";
  private static final String SEPARATOR = "\u001e";

  private final ClientContext ctx;
  private final Endpoint endpoint;
  private final SubscriberTracker tracker;
  private final boolean upgrade;
  private final HttpLink receiving;
  private final HttpLink sending;
  private final Promise<Void> ready = Promise.promise();
  private SocketIoSession session;
  private String sid;
  /** The upgraded session's WebSocket, once it carries the packets; else null. */
  private ClientWebSocket socket;
  private int failures;
  private boolean closed;

  SocketIoPollClient(ClientContext ctx, Endpoint endpoint, SubscriberTracker tracker, boolean upgrade) {
    this.ctx = ctx;
    this.endpoint = endpoint;
    this.tracker = tracker;
    this.upgrade = upgrade;
    this.receiving = new HttpLink(ctx, endpoint);
    this.sending = new HttpLink(ctx, endpoint);
  }

  @Override
  public Future<Void> start() {
    open().onFailure(ready::tryFail);
    return ready.future();
  }

  /** A new session: the handshake GET, then the polling loop, and the upgrade once in the room. */
  private Future<Void> open() {
    sid = null;
    socket = null;
    Promise<Void> joined = Promise.promise();
    session = new SocketIoSession(ctx.topic(), tracker, joined, this::send);
    joined.future().onSuccess(v -> {
      if (upgrade) {
        upgrade().onFailure(this::onFailure);
      } else {
        ready.tryComplete();
      }
    });
    return receive();
  }

  private Future<Void> receive() {
    String uri = sid == null ? POLLING : POLLING + "&sid=" + sid;
    return receiving.getWith(uri, MultiMap.caseInsensitiveMultiMap())
      .compose(resp -> resp.body().map(body -> {
        if (resp.statusCode() != 200) {
          throw new IllegalStateException("GET " + uri + " answered " + resp.statusCode() + ": " + body);
        }
        failures = 0;
        tracker.stats().pollAnswers.increment();
        for (String packet : body.toString(StandardCharsets.UTF_8).split(SEPARATOR)) {
          if (packet.startsWith("0") && sid == null) {
            sid = new JsonObject(packet.substring(1)).getString("sid");
          }
          session.onPacket(packet);
        }
        if (!closed && socket == null) {
          receive().onFailure(this::onFailure);
        }
        return (Void) null;
      }));
  }

  /** Probes a WebSocket for the session and moves the session onto it. */
  private Future<Void> upgrade() {
    ClientWebSocket ws = ctx.ws().webSocket();
    SocketIoSession upgrading = session;
    ws.textMessageHandler(packet -> {
      if (session != upgrading) {
        ws.close(); // a new session started meanwhile: this one's socket must not deliver too
        return;
      }
      if (packet.equals("3probe")) {
        socket = ws;
        ws.writeTextMessage("5");
        ready.tryComplete();
      } else {
        session.onPacket(packet);
      }
    });
    ws.exceptionHandler(err -> tracker.stats().errors.increment());
    ws.closeHandler(v -> {
      if (socket == ws && !closed) {
        Reconnect.later(ctx, tracker, () -> closed, this::open);
      }
    });
    return ws.connect(new WebSocketConnectOptions().setHost(endpoint.host()).setPort(endpoint.port())
        .setURI(WEBSOCKET + "&sid=" + sid).setHeaders(ctx.headers()))
      .map(v -> {
        ws.writeTextMessage("2probe");
        return null;
      });
  }

  private void send(String packet) {
    if (socket != null) {
      socket.writeTextMessage(packet);
      return;
    }
    sending.post(POLLING + "&sid=" + sid, packet).onComplete(ar -> {
      if (ar.failed() || ar.result() != 200) {
        tracker.stats().errors.increment();
      }
    });
  }

  /**
   * A failed poll or upgrade: the session is gone (Socket.IO closed it) or the network; start a new
   * one. Not a poll that was still in flight when the session moved to its WebSocket: Socket.IO
   * refuses it (400), and the session lives on there; a second session would get every event
   * again.
   */
  private void onFailure(Throwable err) {
    if (closed || socket != null) {
      return;
    }
    tracker.stats().errors.increment();
    failures++;
    if (ClientContext.giveUpStarting(ready, failures, err)) {
      return;
    }
    Reconnect.later(ctx, tracker, () -> closed, this::open);
  }

  @Override
  public Future<Void> close() {
    closed = true;
    Future<Void> ws = socket == null ? Future.succeededFuture() : socket.close((short) 1000);
    return Future.join(receiving.close(), sending.close(), ws).mapEmpty();
  }
}
