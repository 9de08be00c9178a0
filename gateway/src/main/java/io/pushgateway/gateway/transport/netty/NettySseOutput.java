package io.pushgateway.gateway.transport.netty;

import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.transport.SseOutput;
import io.pushgateway.gateway.wire.EncodedEvent;
import io.pushgateway.gateway.wire.HttpChunks;
import io.pushgateway.gateway.wire.SpelledEvent;
import io.vertx.core.Future;

/**
 * An {@link SseOutput} on the raw channel: each event is one finished HTTP chunk, written below
 * the HTTP encoder (see {@link ChannelOutput#belowHttpEncoder}); a single-topic event is a view
 * of bytes built once for every subscriber.
 */
final class NettySseOutput implements SseOutput {

  private final ChannelOutput output;

  NettySseOutput(ChannelOutput output) {
    this.output = output;
  }

  @Override
  public int event(Event event, int spelling) {
    SpelledEvent spelled = EncodedEvent.of(event).spelled(spelling);
    output.write(spelled.retainedSseChunk());
    return spelled.sseEventLength();
  }

  @Override
  public int event(Event event, int spelling, byte[] idLine) {
    SpelledEvent spelled = EncodedEvent.of(event).spelled(spelling);
    output.write(spelled.sseChunk(idLine));
    return idLine.length + spelled.sseDataLength();
  }

  @Override
  public void write(byte[] text) {
    output.write(HttpChunks.chunk(text));
  }

  @Override
  public boolean writable() {
    return output.writable();
  }

  @Override
  public Future<Void> drained() {
    return output.drained();
  }

  @Override
  public void release() {
    output.release();
  }
}
