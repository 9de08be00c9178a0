package io.pushgateway.gateway.transport.netty;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.transport.PushWebSocket;
import io.pushgateway.gateway.transport.SseOutput;
import io.pushgateway.gateway.transport.WritePath;
import io.pushgateway.gateway.transport.vertx.VertxWritePath;
import io.vertx.core.Future;
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

  /** Netty's own keep-alive rule (its {@code HttpUtil.isKeepAlive}), on the headers Vert.x read into Netty's type. */
  private static boolean keepsConnection(HttpServerRequest request) {
    return request.version() == HttpVersion.HTTP_1_1
      && !((HttpHeaders) request.headers()).containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true);
  }
}
