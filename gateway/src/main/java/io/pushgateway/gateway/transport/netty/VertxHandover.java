package io.pushgateway.gateway.transport.netty;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.VertxHandler;
import io.vertx.core.spi.metrics.TCPMetrics;

/**
 * A connection taken from Vert.x once it has answered a request with a head that opens a
 * long-lived exchange (a WebSocket's 101, an SSE stream's 200). Vert.x ends that response like any
 * other, so its request meters close it; then its handler and response encoder leave the pipeline,
 * and with them its request, response and headers, which an open stream would otherwise hold for
 * its whole life. What stays is below them (TLS, the connection clock) and the request decoder,
 * which the caller replaces or removes.
 */
final class VertxHandover {

  /**
   * Vert.x gives every response it ends a Content-Length; a 101 must not have one (RFC 9110
   * §8.6), and a body that runs until the connection closes must have neither it nor chunking
   * (RFC 9112 §6.3).
   */
  private static final ChannelHandler NO_CONTENT_LENGTH = new NoContentLength();

  private VertxHandover() {
  }

  /**
   * Ends {@code request}'s response, whose status and headers are set, as a head alone, and takes
   * its channel. Returns what must run once the channel closes: Vert.x counted the connection
   * when it opened, and no longer hears of its end.
   */
  static Runnable takeOver(HttpServerRequest request) {
    ConnectionBase connection = (ConnectionBase) request.connection();
    Runnable onDisconnect = connectionMeter(connection);
    // Encoded on this thread, by the HTTP encoder still in place.
    ChannelPipeline pipeline = connection.channel().pipeline();
    pipeline.addBefore(pipeline.context(VertxHandler.class).name(), "no-content-length", NO_CONTENT_LENGTH);
    request.response().end();
    pipeline.remove(NO_CONTENT_LENGTH);
    pipeline.remove(VertxHandler.class);
    pipeline.remove(HttpResponseEncoder.class);
    return onDisconnect;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Runnable connectionMeter(ConnectionBase connection) {
    if (!(connection.metrics() instanceof TCPMetrics metrics)) {
      return () -> { };
    }
    Object metric = connection.metric();
    SocketAddress remote = connection.remoteAddress();
    return () -> ((TCPMetrics) metrics).disconnected(metric, remote);
  }

  @ChannelHandler.Sharable
  private static final class NoContentLength extends ChannelOutboundHandlerAdapter {
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (msg instanceof HttpResponse response) {
        response.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
      }
      ctx.write(msg, promise);
    }
  }
}
