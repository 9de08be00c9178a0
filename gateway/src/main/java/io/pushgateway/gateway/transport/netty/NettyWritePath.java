package io.pushgateway.gateway.transport.netty;

import io.pushgateway.gateway.config.GatewayConfig;
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
  private final WebSocketUpgrade upgrade;

  public NettyWritePath(GatewayConfig config, FlushQueue flushes) {
    this.maxQueueBytes = config.maxQueueBytes();
    this.flushes = flushes;
    this.upgrade = new WebSocketUpgrade(config.maxFrameBytes(), config.maxBinaryBytes(), config.compression());
  }

  @Override
  public Future<PushWebSocket> upgrade(HttpServerRequest request) {
    return upgrade.accept(request).map(upgraded -> new NettyWebSocket(upgraded.peer(),
      ChannelOutput.ofWebSocket(upgraded.peer(), maxQueueBytes, flushes), upgraded.deflate()));
  }

  @Override
  public SseOutput sse(HttpServerRequest request) {
    return new NettySseOutput(ChannelOutput.belowHttpEncoder(request.connection(), maxQueueBytes, flushes));
  }
}
