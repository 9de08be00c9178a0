package io.pushgateway.gateway.transport.netty;

import io.pushgateway.gateway.transport.PushWebSocket;
import io.pushgateway.gateway.transport.SseOutput;
import io.pushgateway.gateway.transport.WritePath;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;

/**
 * The raw-channel write path ({@code writePath=netty}, the default): WebSocket frames and SSE
 * chunks built once per event go straight to each Netty channel, flushed once per connection per
 * event-loop turn ({@link FlushQueue}). One per event loop.
 */
public final class NettyWritePath implements WritePath {

  private final int maxQueueBytes;
  private final FlushQueue flushes;

  public NettyWritePath(int maxQueueBytes, FlushQueue flushes) {
    this.maxQueueBytes = maxQueueBytes;
    this.flushes = flushes;
  }

  @Override
  public Future<PushWebSocket> upgrade(HttpServerRequest request) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public SseOutput sse(HttpServerRequest request) {
    return new NettySseOutput(ChannelOutput.belowHttpEncoder(request.connection(), maxQueueBytes, flushes));
  }
}
