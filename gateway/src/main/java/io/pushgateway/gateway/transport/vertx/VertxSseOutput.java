package io.pushgateway.gateway.transport.vertx;

import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.transport.SseOutput;
import io.pushgateway.gateway.wire.EncodedEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * An {@link SseOutput} through {@code HttpServerResponse.write}: Vert.x frames each write as an
 * HTTP chunk; its write queue, sized to {@code maxQueueBytes}, is the output's bound. A
 * single-topic event is the same buffer for every subscriber.
 */
final class VertxSseOutput implements SseOutput {

  private final HttpServerResponse response;
  private Promise<Void> drained;

  VertxSseOutput(HttpServerResponse response, int maxQueueBytes) {
    this.response = response;
    response.setWriteQueueMaxSize(maxQueueBytes);
    response.drainHandler(v -> {
      if (drained != null) {
        Promise<Void> waiting = drained;
        drained = null;
        waiting.complete();
      }
    });
  }

  @Override
  public int event(Event event) {
    Buffer bytes = EncodedEvent.of(event).sseEvent();
    response.write(bytes);
    return bytes.length();
  }

  @Override
  public int event(Event event, byte[] idLine) {
    Buffer bytes = EncodedEvent.of(event).sseEvent(idLine);
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
  public void release() {
    drained = null;
  }
}
