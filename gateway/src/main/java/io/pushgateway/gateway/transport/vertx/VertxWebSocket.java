package io.pushgateway.gateway.transport.vertx;

import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.transport.PushWebSocket;
import io.pushgateway.gateway.wire.EncodedEvent;
import io.pushgateway.gateway.wire.SpelledEvent;
import io.pushgateway.gateway.wire.WebSocketFrames;
import io.pushgateway.gateway.transport.BoundedOutput;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A {@link PushWebSocket} on Vert.x's {@code ServerWebSocket}. Vert.x keeps the closing handshake
 * and answers pings itself (so {@link #pong} has nothing to do); its write queue, sized to
 * {@code maxQueueBytes}, is the output's bound. Each event is a text frame Vert.x encodes from the
 * event's text, once per connection: the price of the public API.
 *
 * <p>Messages are put together here from their frames, as the raw path's codec does: Vert.x's own
 * text handler would decode invalid UTF-8 into replacement characters instead of closing with
 * 1007 (RFC 6455 §8.1), and a message over {@code maxFrameBytes} closes with 1009 (§7.4.1).
 */
final class VertxWebSocket extends BoundedOutput implements PushWebSocket {

  private static final Buffer EMPTY = Buffer.buffer();
  private static final short INVALID_PAYLOAD = 1007;
  private static final short MESSAGE_TOO_BIG = 1009;

  private final ServerWebSocket socket;
  private final int maxMessageBytes;
  /** How long the next binary message may be, when a publish announced it; else 0. */
  private int binaryAllowance;
  /** The message being put together from its frames, null between messages. */
  private Buffer message;
  private boolean messageIsText;
  private final Promise<Void> closed = Promise.promise();
  private boolean closeSent;
  private int holds;

  VertxWebSocket(ServerWebSocket socket, int maxQueueBytes, int maxMessageBytes) {
    this.socket = socket;
    this.maxMessageBytes = maxMessageBytes;
    socket.setWriteQueueMaxSize(maxQueueBytes);
    socket.drainHandler(v -> onDrained());
  }

  @Override
  public void listen(Listener listener) {
    socket.frameHandler(frame -> onFrame(frame, listener));
    socket.pongHandler(data -> listener.onPong());
    socket.closeHandler(v -> {
      closed.tryComplete();
      listener.onClosed();
    });
    // A frame the decoder refused (one over maxFrameBytes: 1009) is answered with its close code;
    // any other failure closes the connection, and the close handler runs.
    socket.exceptionHandler(e -> {
      int code = WebSocketFrames.closeCode(e);
      if (code > 0) {
        close(code, e.getMessage());
      }
    });
  }

  private void onFrame(WebSocketFrame frame, Listener listener) {
    if (closeSent) {
      return; // closing: only the client's close frame matters now, and Vert.x handles it
    }
    if (frame.isPing()) {
      listener.onPing(frame.binaryData());
      return;
    }
    if (!frame.isText() && !frame.isBinary() && !frame.isContinuation()) {
      return; // pongs reach the pong handler; close frames are Vert.x's
    }
    if (!frame.isContinuation()) {
      message = Buffer.buffer();
      messageIsText = frame.isText();
    } else if (message == null) {
      return; // a continuation without a start: Vert.x's decoder has refused it already
    }
    message.appendBuffer(frame.binaryData());
    if (message.length() > (messageIsText ? maxMessageBytes : Math.max(maxMessageBytes, binaryAllowance))) {
      message = null;
      close(MESSAGE_TOO_BIG, "message too big");
      return;
    }
    if (!frame.isFinal()) {
      return;
    }
    Buffer whole = message;
    message = null;
    if (!messageIsText) {
      binaryAllowance = 0;
      listener.onBinary(whole);
      return;
    }
    try {
      listener.onText(StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(whole.getBytes())).toString());
    } catch (CharacterCodingException e) {
      close(INVALID_PAYLOAD, "text is not UTF-8");
    }
  }

  @Override
  public long sendEvent(Event event, int spelling) {
    SpelledEvent spelled = EncodedEvent.of(event).spelled(spelling);
    socket.writeFinalTextFrame(spelled.text());
    return spelled.webSocketPayloadLength();
  }

  @Override
  public long sendBinaryEvent(Event event) {
    EncodedEvent encoded = EncodedEvent.of(event);
    socket.writeFinalTextFrame(encoded.envelope());
    socket.writeFinalBinaryFrame(encoded.binaryBuffer());
    return encoded.envelope().length() + encoded.binaryBuffer().length();
  }

  @Override
  public void expectBinary(int bytes) {
    binaryAllowance = bytes;
  }

  @Override
  public void skipBinary(int bytes) {
    expectBinary(bytes);
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
    forgetDrained();
  }
}
