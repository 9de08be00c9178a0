package io.pushgateway.gateway.transport.netty;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.pushgateway.gateway.transport.PushWebSocket;
import io.pushgateway.gateway.transport.PushWebSocket.Listener;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.concurrent.TimeUnit;

/**
 * The end of one WebSocket's channel once the handshake is done: Netty's codec decodes frames,
 * this answers the closing handshake (RFC 6455 §7) and hands messages and pings to its
 * {@link Listener}. It takes the place of Vert.x's WebSocket, so an idle connection costs its
 * channel, the codec and the session, without Vert.x's per-connection queues.
 */
final class WebSocketPeer extends ChannelInboundHandlerAdapter {

  private static final int NO_STATUS = -1;

  private final Channel channel;
  private final Runnable onDisconnect;
  private final int maxMessageBytes;
  /** How long the next binary message may be, when a publish announced it; else 0. */
  private int binaryAllowance;
  /** Whether the next binary message is a refused publish's, skipped unread (FrameSizeGuard). */
  private boolean skipNextBinary;
  private Listener listener;
  private Runnable writable;
  private boolean closeSent;
  private int holds;
  private ScheduledFuture<?> closeTimeout;

  /**
   * {@code onDisconnect}: what else must learn that the connection ended (server meters);
   * {@code maxMessageBytes}: the limit of a message nobody announced.
   */
  WebSocketPeer(Channel channel, Runnable onDisconnect, int maxMessageBytes) {
    this.channel = channel;
    this.onDisconnect = onDisconnect;
    this.maxMessageBytes = maxMessageBytes;
  }

  /** See PushWebSocket.expectBinary. */
  void expectBinary(int bytes) {
    binaryAllowance = bytes;
    skipNextBinary = false;
  }

  /** See PushWebSocket.skipBinary. */
  void skipBinary(int bytes) {
    binaryAllowance = bytes;
    skipNextBinary = true;
  }

  boolean skipsNextBinary() {
    return skipNextBinary;
  }

  /** The guard passed over the binary message to skip. */
  void binarySkipped() {
    binaryAllowance = 0;
    skipNextBinary = false;
    listener.onBinarySkipped();
  }

  /** How long the message now beginning may be: a binary one as long as a publish announced. */
  int messageLimit(boolean binary) {
    return binary ? Math.max(maxMessageBytes, binaryAllowance) : maxMessageBytes;
  }

  Channel channel() {
    return channel;
  }

  void listen(Listener listener) {
    this.listener = listener;
  }

  /** Runs {@code action} each time the channel becomes writable again. */
  void whenWritable(Runnable action) {
    this.writable = action;
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (writable != null && ctx.channel().isWritable()) {
      writable.run();
    }
    ctx.fireChannelWritabilityChanged();
  }

  /** True once a close frame went out or the connection is gone: nothing more may be sent. */
  boolean isClosed() {
    return closeSent || !channel.isActive();
  }

  /** Holds reading back for one reason (see PushWebSocket) or lets go of it; read while none holds. */
  void holdReading(int reason, boolean hold) {
    int before = holds;
    holds = hold ? holds | reason : holds & ~reason;
    if ((before == 0) != (holds == 0)) {
      channel.config().setAutoRead(holds == 0);
    }
  }

  /** Holds reading back for {@code reason} until {@code done} completes. */
  void holdReadingUntil(int reason, Future<Void> done) {
    if ((holds & reason) == 0) {
      holdReading(reason, true);
      done.onComplete(v -> holdReading(reason, false));
    }
  }

  /** Starts the closing handshake; the channel closes when the peer answers, or after a timeout. */
  void close(int code, String reason) {
    if (isClosed()) {
      return;
    }
    closeSent = true;
    channel.writeAndFlush(new CloseWebSocketFrame(code, reason));
    closeTimeout = channel.eventLoop().schedule(() -> channel.close(), PushWebSocket.CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (closeSent && !(msg instanceof CloseWebSocketFrame)) {
        return; // closing: only the peer's close frame matters now
      }
      if (msg instanceof TextWebSocketFrame text) {
        if (text.content().readableBytes() > maxMessageBytes) {
          close(WebSocketCloseStatus.MESSAGE_TOO_BIG.code(), "message too big");
          return;
        }
        listener.onText(text.text());
      } else if (msg instanceof PingWebSocketFrame ping) {
        listener.onPing(Buffer.buffer(ByteBufUtil.getBytes(ping.content()))); // at most 125 bytes
      } else if (msg instanceof PongWebSocketFrame) {
        listener.onPong();
      } else if (msg instanceof CloseWebSocketFrame close) {
        onCloseFrame(ctx, close);
      } else if (msg instanceof BinaryWebSocketFrame binary) {
        int allowed = messageLimit(true);
        binaryAllowance = 0;
        if (binary.content().readableBytes() > allowed) {
          close(WebSocketCloseStatus.MESSAGE_TOO_BIG.code(), "message too big");
          return;
        }
        listener.onBinary(Buffer.buffer(ByteBufUtil.getBytes(binary.content())));
      }
      // anything else is what the HTTP decoder had left when it was replaced: nothing to do
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onCloseFrame(ChannelHandlerContext ctx, CloseWebSocketFrame close) {
    if (closeSent) {
      ctx.close(); // the answer to ours: the handshake is complete
      return;
    }
    closeSent = true;
    // Echo the peer's code; a close without one (a browser's ws.close()) is answered with 1000.
    int code = close.statusCode() == NO_STATUS ? WebSocketCloseStatus.NORMAL_CLOSURE.code() : close.statusCode();
    ctx.writeAndFlush(new CloseWebSocketFrame(code, null)).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof TooLongFrameException) {
      close(WebSocketCloseStatus.MESSAGE_TOO_BIG.code(), "message too big"); // a fragmented message over the limit
    } else if (cause instanceof BoundedInflater.Refused refused) {
      close(refused.code, refused.getMessage()); // a compressed message too big once inflated, or corrupt
    } else if (cause instanceof CorruptedWebSocketFrameException) {
      closeSent = true; // the codec has sent the close frame with its code (1002, 1007, 1009) and closes
    } else {
      ctx.close(); // an I/O failure: no one to say goodbye to
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (closeTimeout != null) {
      closeTimeout.cancel(false);
    }
    onDisconnect.run();
    listener.onClosed();
    ctx.fireChannelInactive();
  }
}
