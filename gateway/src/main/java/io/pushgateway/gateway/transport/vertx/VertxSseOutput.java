package io.pushgateway.gateway.transport.vertx;

import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.transport.SseOutput;
import io.pushgateway.gateway.wire.EncodedEvent;
import io.pushgateway.gateway.transport.BoundedOutput;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * An {@link SseOutput} through {@code HttpServerResponse.write}: Vert.x frames each write as an
 * HTTP chunk (for HTTP/1.0 the body runs until the connection closes); its write queue, sized to
 * {@code maxQueueBytes}, is the output's bound. A single-topic event is the same buffer for every
 * subscriber.
 */
final class VertxSseOutput extends BoundedOutput implements SseOutput {

  private final HttpServerResponse response;

  VertxSseOutput(HttpServerResponse response, int maxQueueBytes) {
    this.response = response;
    response.setWriteQueueMaxSize(maxQueueBytes);
    response.drainHandler(v -> onDrained());
  }

  @Override
  public void open(byte[] preamble, Runnable gone) {
    response.setChunked(true);
    response.closeHandler(v -> gone.run());
    response.exceptionHandler(e -> gone.run());
    response.write(Buffer.buffer(preamble));
  }

  @Override
  public boolean isOpen() {
    return !response.closed() && !response.ended();
  }

  @Override
  public void end() {
    if (isOpen()) {
      response.end();
    }
  }

  @Override
  public int event(Event event, int spelling) {
    Buffer bytes = EncodedEvent.of(event).spelled(spelling).sseEvent();
    response.write(bytes);
    return bytes.length();
  }

  @Override
  public int event(Event event, int spelling, byte[] idLine) {
    Buffer bytes = EncodedEvent.of(event).spelled(spelling).sseEvent(idLine);
    response.write(bytes);
    return bytes.length();
  }

  @Override
  public void write(byte[] text) {
    response.write(Buffer.buffer(text));
  }

  @Override
  public boolean writable() {
    return !response.writeQueueFull();
  }

  @Override
  public void release() {
    forgetDrained();
  }
}
