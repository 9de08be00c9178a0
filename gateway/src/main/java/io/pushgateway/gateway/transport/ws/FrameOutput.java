package io.pushgateway.gateway.transport.ws;

import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.core.WebSocketFrames;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.VoidChannelPromise;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionEncoder;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.VertxHandler;

/**
 * A WebSocket's outgoing frames, written as prebuilt bytes straight to its Netty channel: an
 * event fanned out to thousands of connections costs one view of its frame per connection. A
 * frame is flushed at once while the event loop has nothing else queued; once it has, flushes
 * wait for the end of the loop's turn (see {@link FlushQueue}), so a connection that gets several
 * events in one turn gets them in one system call.
 *
 * <p>Every frame of the protocol goes through here, so frames keep their order; only pings and
 * the close frame take Vert.x's path, which flushes what is pending before them.
 */
final class FrameOutput {

  private final ChannelHandlerContext channel;
  private final ChannelPromise noPromise;
  private final FlushQueue flushes;
  private final boolean deflate;
  private Promise<Void> drained;
  private boolean pending;

  /** {@code connection}: the one the WebSocket was upgraded from; its channel carries the frames. */
  FrameOutput(HttpConnection connection, FlushQueue flushes) {
    // Vert.x's own handler, last in the pipeline: written from here, frames pass the same
    // handlers as Vert.x's (the extension encoders, TLS) and bypass only its per-write flush.
    this.channel = ((ConnectionBase) connection).channel().pipeline().context(VertxHandler.class);
    this.noPromise = new VoidChannelPromise(channel.channel(), false);
    this.flushes = flushes;
    // The only extension the server offers is permessage-deflate; Netty installs its encoder
    // when the client accepted it.
    this.deflate = channel.pipeline().get(WebSocketExtensionEncoder.class) != null;
    channel.pipeline().addBefore(channel.name(), "push-gateway-drain", new ChannelInboundHandlerAdapter() {
      @Override
      public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (drained != null && ctx.channel().isWritable()) {
          Promise<Void> waiting = drained;
          drained = null;
          waiting.complete();
        }
        ctx.fireChannelWritabilityChanged();
      }
    });
  }

  /** Writes an event's frame, compressed if this connection negotiated it; returns the payload's size. */
  long event(Event event) {
    ByteBuf frame = deflate ? event.deflatedWebSocketFrame() : event.webSocketFrame();
    write(frame.retainedDuplicate());
    return WebSocketFrames.payloadLength(frame);
  }

  /** Writes a frame this output now owns. */
  void write(ByteBuf frame) {
    channel.write(frame, noPromise);
    if (pending) {
      return;
    }
    if (flushes.deferring(this)) {
      pending = true;
      flushes.add(this);
    } else {
      channel.flush();
    }
  }

  /**
   * False once more than the write queue's limit waits for the peer. What waits unflushed is
   * flushed first, so a burst that one turn produced is not mistaken for a slow reader.
   */
  boolean writable() {
    if (channel.channel().isWritable()) {
      return true;
    }
    flush();
    return channel.channel().isWritable();
  }

  /** Completes once the peer has read enough for {@link #writable()} to be true again. */
  Future<Void> drained() {
    if (writable()) {
      return Future.succeededFuture();
    }
    if (drained == null) {
      drained = Promise.promise();
    }
    return drained.future();
  }

  EventLoop eventLoop() {
    return channel.channel().eventLoop();
  }

  void flush() {
    if (pending) {
      pending = false;
      channel.flush();
    }
  }
}
