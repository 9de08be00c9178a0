package io.pushgateway.gateway.transport;

import io.pushgateway.gateway.core.Event;
import io.vertx.core.Future;

/**
 * The body of an SSE response after its head, as its session sees it on either
 * {@link WritePath}: whole SSE events out, within {@code maxQueueBytes}. The response's end stays
 * with the session (Vert.x writes it on both paths).
 */
public interface SseOutput {

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

  /** Gives back what the output holds; the HTTP connection lives on. */
  void release();
}
