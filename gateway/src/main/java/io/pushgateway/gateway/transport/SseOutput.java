package io.pushgateway.gateway.transport;

import io.pushgateway.gateway.core.Event;
import io.vertx.core.Future;

/**
 * An SSE response as its session sees it on either {@link WritePath}: its head, then whole SSE
 * events out, within {@code maxQueueBytes}, until the session ends it or the client goes.
 */
public interface SseOutput {

  /**
   * Sends the response's head (its headers already set) and {@code preamble} once the event loop's
   * turn is over, after what the caller does next (its subscriptions); {@code gone} runs once,
   * when the client goes or the stream ends after that. A client already gone leaves the output
   * closed ({@link #isOpen} false) and {@code gone} unrun.
   */
  void open(byte[] preamble, Runnable gone);

  /** True from {@link #open} until the stream is ended or its client gone. */
  boolean isOpen();

  /**
   * Ends the stream after what was written, or at once when more than {@code maxQueueBytes}
   * still wait for a client too slow to take them.
   */
  void end();

  /**
   * Writes the event spelled as {@code spelling} says (see {@link
   * io.pushgateway.gateway.wire.Spelling}) with its own cursor entry as the {@code id:} line, the
   * same bytes for every subscriber of that one topic that spells it the same. Returns the SSE
   * event's length.
   */
  int event(Event event, int spelling);

  /** Writes the event with another {@code id:} line (ending in a line feed). Returns its length. */
  int event(Event event, int spelling, byte[] idLine);

  /** Writes other SSE text (a comment, a reset). */
  void write(byte[] text);

  /** False once more than {@code maxQueueBytes} wait for the client. */
  boolean writable();

  /** Completes once {@link #writable()} is true again. */
  Future<Void> drained();

  /** Gives back what the output holds for writes. */
  void release();
}
