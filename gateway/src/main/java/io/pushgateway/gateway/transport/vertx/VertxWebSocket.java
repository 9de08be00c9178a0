package io.pushgateway.gateway.transport.vertx;

import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.transport.PushWebSocket;
import io.pushgateway.gateway.wire.EncodedEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;

/**
 * A {@link PushWebSocket} on Vert.x's {@code ServerWebSocket}. Vert.x keeps the closing handshake
 * and answers pings itself (so {@link #pong} has nothing to do); its write queue, sized to
 * {@code maxQueueBytes}, is the output's bound. Each event is a text frame Vert.x encodes from the
 * event's text, once per connection: the price of the public API.
 */
final class VertxWebSocket implements PushWebSocket {

  private static final Buffer EMPTY = Buffer.buffer();

  private final ServerWebSocket socket;
  private final Promise<Void> closed = Promise.promise();
  private Promise<Void> drained;
  private boolean closeSent;
  private int holds;

  VertxWebSocket(ServerWebSocket socket, int maxQueueBytes) {
    this.socket = socket;
    socket.setWriteQueueMaxSize(maxQueueBytes);
    socket.drainHandler(v -> {
      if (drained != null) {
        Promise<Void> waiting = drained;
        drained = null;
        waiting.complete();
      }
    });
  }

  @Override
  public void listen(Listener listener) {
    socket.textMessageHandler(listener::onText);
    socket.binaryMessageHandler(data -> listener.onBinary());
    socket.frameHandler(frame -> {
      if (frame.isPing()) {
        listener.onPing(frame.binaryData());
      }
    });
    socket.pongHandler(data -> listener.onPong());
    socket.closeHandler(v -> {
      closed.tryComplete();
      listener.onClosed();
    });
    // A failed connection closes, and the close handler runs: nothing else to do here.
    socket.exceptionHandler(e -> { });
  }

  @Override
  public long sendEvent(Event event) {
    EncodedEvent encoded = EncodedEvent.of(event);
    socket.writeFinalTextFrame(encoded.text());
    return encoded.webSocketPayloadLength();
  }

  @Override
  public void sendText(String text) {
    socket.writeFinalTextFrame(text);
  }

  @Override
  public void ping() {
    socket.writePing(EMPTY);
  }

  @Override
  public void pong(Buffer payload) {
    // Vert.x has answered the ping already (RFC 6455 §5.5.2); its pong is in the same write queue.
  }

  @Override
  public boolean writable() {
    return !socket.writeQueueFull();
  }

  @Override
  public Future<Void> drained() {
    if (writable()) {
      return Future.succeededFuture();
    }
    if (drained == null) {
      drained = Promise.promise();
    }
    return drained.future();
  }

  @Override
  public void holdReading(int reason, boolean hold) {
    int before = holds;
    holds = hold ? holds | reason : holds & ~reason;
    if (before == 0 && holds != 0) {
      socket.pause(); // Vert.x stops reading the socket once its inbound queue fills
    } else if (before != 0 && holds == 0) {
      socket.resume();
    }
  }

  @Override
  public void holdReadingUntil(int reason, Future<Void> done) {
    if ((holds & reason) == 0) {
      holdReading(reason, true);
      done.onComplete(v -> holdReading(reason, false));
    }
  }

  @Override
  public boolean isClosed() {
    return closeSent || socket.isClosed();
  }

  @Override
  public void close(int code, String reason) {
    if (isClosed()) {
      return;
    }
    closeSent = true;
    socket.close((short) code, reason);
  }

  @Override
  public Future<Void> closed() {
    return closed.future();
  }

  @Override
  public void release() {
    socket.drainHandler(null);
  }
}
