package io.pushgateway.gateway.transport;

import io.pushgateway.gateway.core.Event;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/**
 * A WebSocket after its handshake, as its session sees it on either {@link WritePath}: frames out
 * within {@code maxQueueBytes}, messages in, the closing handshake (RFC 6455 §7). Called on the
 * connection's event loop; the listener is called there too.
 */
public interface PushWebSocket {

  /** How long a close frame the gateway sends waits for the client's before the connection is cut. */
  int CLOSE_TIMEOUT_SECONDS = 5;

  /** What the session hears. */
  interface Listener {
    void onText(String text);

    /** A whole binary message, within the size {@link #expectBinary} allowed. */
    void onBinary(Buffer bytes);

    /** The binary message {@link #skipBinary} announced was passed over unread. */
    void onBinarySkipped();

    /** A Ping (RFC 6455 §5.5.2): the session answers it with {@link #pong}, within the output's bound. */
    void onPing(Buffer payload);

    void onPong();

    /** The connection is gone, whichever side ended it; called once. */
    void onClosed();
  }

  void listen(Listener listener);

  /**
   * Writes the event as one text frame, spelled as {@code spelling} says (see {@link
   * io.pushgateway.gateway.wire.Spelling}), compressed if the client accepted permessage-deflate;
   * the same bytes go to every connection that spells it the same. Returns the payload bytes put
   * on the wire.
   */
  long sendEvent(Event event, int spelling);

  /**
   * Writes a binary event as its envelope (a text frame) and then its raw bytes (a binary frame),
   * for a client that asked for binary frames; the same bytes go to every connection. Returns the
   * payload bytes put on the wire.
   */
  long sendBinaryEvent(Event event);

  /**
   * Lets the next binary message be up to {@code bytes} long (an announced binary publish); 0 puts
   * it back under {@code maxFrameBytes}, like text. A message over its limit closes with 1009.
   */
  void expectBinary(int bytes);

  /**
   * The next binary message, up to {@code bytes} long, is a refused publish's: the raw path skips
   * its bytes as they come, unread, and tells {@link Listener#onBinarySkipped}; Vert.x's path
   * reads it and hands it to {@link Listener#onBinary}. {@link #expectBinary} undoes it.
   */
  void skipBinary(int bytes);

  /** Writes a one-off text frame (an ack, an error, a control message). */
  void sendText(String text);

  void ping();

  /** Answers a ping with its payload (where the path's own code has not answered it already). */
  void pong(Buffer payload);

  /** False once more than {@code maxQueueBytes} wait for the client. */
  boolean writable();

  /** Completes once {@link #writable()} is true again. */
  Future<Void> drained();

  /** Reasons to leave what the client sends unread (TCP then holds the client back). */
  int DRAINING = 1;
  int PUBLISHING = 2;
  int CLOSING = 4;

  /**
   * Holds reading back for one reason ({@link #DRAINING}, {@link #PUBLISHING}, {@link #CLOSING})
   * or lets go of it; the client is read while no reason holds.
   */
  void holdReading(int reason, boolean hold);

  /** Holds reading back for {@code reason} until {@code done} completes. */
  void holdReadingUntil(int reason, Future<Void> done);

  /** True once a close frame went out or the connection is gone: nothing more may be sent. */
  boolean isClosed();

  /** Starts the closing handshake; the connection is cut when the client answers, or after a timeout. */
  void close(int code, String reason);

  /** Completes once the TCP connection is closed. */
  Future<Void> closed();

  /** Gives back what the output holds; called once, when the session ends. */
  void release();
}
