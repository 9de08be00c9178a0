package io.pushgateway.gateway.transport.netty;

import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.transport.PushWebSocket;
import io.pushgateway.gateway.transport.SseOutput;
import io.pushgateway.gateway.transport.WritePath;
import io.vertx.core.Future;
import io.pushgateway.gateway.transport.vertx.VertxWritePath;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

/**
 * The raw-channel write path ({@code writePath=netty}, the default): WebSocket frames and SSE
 * events built once per event go straight to each Netty channel, flushed once per connection per
 * event-loop turn ({@link FlushQueue}). One per event loop.
 */
public final class NettyWritePath implements WritePath {

  private final int maxQueueBytes;
  private final FlushQueue flushes;
  private final WebSocketUpgrade upgrade;
  private final VertxWritePath fallback;

  public NettyWritePath(GatewayConfig config, FlushQueue flushes) {
    this.maxQueueBytes = config.maxQueueBytes();
    this.flushes = flushes;
    this.upgrade = new WebSocketUpgrade(config.maxFrameBytes(), config.maxBinaryBytes(), config.compression());
    this.fallback = new VertxWritePath(config.maxQueueBytes(), config.maxFrameBytes());
  }

  @Override
  public Future<PushWebSocket> upgrade(HttpServerRequest request) {
    return upgrade.accept(request).map(upgraded -> new NettyWebSocket(upgraded.peer(),
      ChannelOutput.ofWebSocket(upgraded.peer(), maxQueueBytes, flushes), upgraded.deflate()));
  }

  /** An HTTP/1.0 request, or one that closes its connection, is served by Vert.x as it is. */
  @Override
  public SseOutput sse(HttpServerRequest request) {
    return keepsConnection(request) ? new NettySseOutput(request, maxQueueBytes, flushes) : fallback.sse(request);
  }

  private static boolean keepsConnection(HttpServerRequest request) {
    if (request.version() != HttpVersion.HTTP_1_1) {
      return false;
    }
    for (String connection : request.headers().getAll(HttpHeaders.CONNECTION)) {
      for (String option : connection.split(",")) {
        if (option.trim().equalsIgnoreCase("close")) {
          return false;
        }
      }
    }
    return true;
  }
}
