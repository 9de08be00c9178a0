package io.pushgateway.gateway.transport.vertx;

import io.pushgateway.gateway.transport.PushWebSocket;
import io.pushgateway.gateway.transport.SseOutput;
import io.pushgateway.gateway.transport.WritePath;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;

/**
 * The write path on Vert.x's public API only ({@code writePath=vertx}): a {@code ServerWebSocket}
 * from {@code request.toWebSocket()}, SSE through {@code HttpServerResponse.write}, bounded by
 * their write queues. It costs more per delivery than the raw channel (docs/performance.md) but
 * no Vert.x or Netty upgrade can break it without a compile error or a documented change.
 *
 * <p>Frame and message sizes are bounded by the server's options ({@code maxFrameBytes}, set
 * where the server is created); permessage-deflate is not offered on this path, so no inflated
 * message can outgrow that bound.
 */
public final class VertxWritePath implements WritePath {

  private final int maxQueueBytes;
  private final int maxMessageBytes;

  public VertxWritePath(int maxQueueBytes, int maxMessageBytes) {
    this.maxQueueBytes = maxQueueBytes;
    this.maxMessageBytes = maxMessageBytes;
  }

  @Override
  public Future<PushWebSocket> upgrade(HttpServerRequest request) {
    return request.toWebSocket().map(socket -> new VertxWebSocket(socket, maxQueueBytes, maxMessageBytes));
  }

  @Override
  public SseOutput sse(HttpServerRequest request) {
    return new VertxSseOutput(request.response(), maxQueueBytes);
  }
}
