package io.pushgateway.gateway.transport;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;

/**
 * How push connections reach their sockets, chosen by the {@code writePath} option: straight to
 * the Netty channel ({@code transport.netty}, the fast path, which leans on Vert.x internals), or
 * through Vert.x's public API ({@code transport.vertx}, the fallback the day an upgrade breaks the
 * fast path). Sessions talk only to what this hands out, so they are the same on both paths.
 * One per event loop.
 */
public interface WritePath {

  /**
   * Answers a WebSocket upgrade request, version 13 with its key (the WebSocket transport has
   * refused any other); the future fails if the client leaves during the handshake.
   */
  Future<PushWebSocket> upgrade(HttpServerRequest request);

  /** The output of an SSE response whose headers are set; {@link SseOutput#open} sends them. */
  SseOutput sse(HttpServerRequest request);
}
