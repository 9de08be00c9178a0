package io.pushgateway.gateway.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.UnixChannel;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.ssl.SslHandler;
import io.pushgateway.gateway.transport.BoundedOutput;
import io.vertx.core.http.HttpConnection;
import java.io.IOException;

/**
 * A push connection's output, written straight to its Netty channel: an event fanned out to
 * thousands of connections costs one view of its prebuilt bytes per connection, with no promise,
 * no copy and no flush of its own. A write is flushed at once unless more events wait to be
 * fanned out on this event loop; then flushes wait for the end of the loop's turn (see
 * {@link FlushQueue}), so a connection that gets several events in one turn gets them in one
 * system call.
 *
 * <p>A write that would be flushed at once into an empty queue skips the pipeline: on a native
 * (epoll) channel without TLS it goes straight to the socket, and only what the socket does not
 * take at once enters the pipeline, where Netty waits for the socket as usual. Between one
 * prebuilt buffer and the kernel the handlers have nothing to do but pass it on (the connection's
 * byte counter is told), and passing it through them costs as much user time as the system call.
 *
 * <p>Everything a session sends after its first bytes goes through here, so it keeps its order;
 * only the end of an SSE response (written by Vert.x) and a WebSocket's close frame (written by
 * its peer) take another path, which flushes what is pending before them.
 */
final class ChannelOutput extends BoundedOutput {

  private final Channel channel;
  /** Where writes enter the pipeline: its tail, or just below a handler they must skip. */
  private final ChannelOutboundInvoker entry;
  private final ChannelPromise noPromise;
  private final FlushQueue flushes;
  /** The handler that watches writability under Vert.x's; null for a raw WebSocket's. */
  private ChannelHandler drainWatch;
  private boolean pending;
  /** The channel's socket, for writes that skip the pipeline; null where they may not (TLS, not native). */
  private final FileDescriptor socket;
  /** The connection clock's byte counter, told of those writes; null without a clock. */
  private final ChannelHandlerContext byteCounter;

  /**
   * Writes finished HTTP chunks (see {@code HttpChunks}) on the channel of a response Vert.x
   * serves: they enter the pipeline below the HTTP encoder, which has nothing left to add, and
   * still pass TLS. The encoder goes on framing what Vert.x writes itself (the head, the end).
   */
  static ChannelOutput belowHttpEncoder(HttpConnection connection, int maxQueueBytes, FlushQueue flushes) {
    Channel channel = RawConnection.channelOf(connection);
    ChannelOutput output = new ChannelOutput(channel, channel.pipeline().context(HttpResponseEncoder.class),
      maxQueueBytes, flushes);
    output.watchDrain();
    return output;
  }

  /**
   * Writes a raw WebSocket's frames from the pipeline's tail, through its encoder and TLS. Its peer,
   * the pipeline's last handler, tells of writability: no handler of the output's own, which an
   * idle connection would carry for its whole life.
   */
  static ChannelOutput ofWebSocket(WebSocketPeer peer, int maxQueueBytes, FlushQueue flushes) {
    ChannelOutput output = new ChannelOutput(peer.channel(), peer.channel(), maxQueueBytes, flushes);
    peer.whenWritable(output::onDrained);
    return output;
  }

  /** Also bounds the channel's write queue at {@code maxQueueBytes}, which {@link #writable()} judges by. */
  private ChannelOutput(Channel channel, ChannelOutboundInvoker entry, int maxQueueBytes, FlushQueue flushes) {
    this.channel = channel;
    this.entry = entry;
    channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(maxQueueBytes / 2, maxQueueBytes));
    // The channel's own void promise: encoders that split a message (an HTTP chunk into size line,
    // data and CRLF) recognise it and skip combining a promise per part. A failed write reaches
    // the session through the pipeline's exception handling, as any broken connection does.
    this.noPromise = channel.voidPromise();
    this.flushes = flushes;
    this.socket = channel instanceof UnixChannel unix && channel.pipeline().get(SslHandler.class) == null
      ? unix.fd() : null;
    this.byteCounter = ConnectionClock.byteCounter(channel);
  }

  /**
   * Vert.x's handler (while it serves the channel) keeps writability changes to itself: they are
   * watched first, at the head, until {@link #release}.
   */
  private void watchDrain() {
    drainWatch = new ChannelInboundHandlerAdapter() {
      @Override
      public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
          onDrained();
        }
        ctx.fireChannelWritabilityChanged();
      }
    };
    channel.pipeline().addFirst(drainWatch);
  }

  /** Writes a message (a ByteBuf, a WebSocket frame) this output now owns. */
  public void write(Object message) {
    if (socket != null && !pending && message instanceof ByteBuf bytes && sentStraight(bytes)) {
      return;
    }
    entry.write(message, noPromise);
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
   * Writes {@code bytes} to the socket if nothing waits before them and they would be flushed now;
   * false if it did not try, leaving them to the pipeline. What the socket does not take is queued
   * and flushed below the byte counter, which has counted them all already; a failed write too,
   * which the flush then meets and handles as any.
   */
  private boolean sentStraight(ByteBuf bytes) {
    ChannelOutboundBuffer queue = channel.unsafe().outboundBuffer();
    if (queue == null || queue.totalPendingWriteBytes() != 0 || !bytes.hasMemoryAddress()
      || !channel.eventLoop().inEventLoop() || flushes.deferring(this)) {
      return false;
    }
    int from = bytes.readerIndex();
    int to = bytes.writerIndex();
    // counted before they leave: a client that has read them may ask for its meter at once
    boolean counted = byteCounter != null && ConnectionClock.wroteAround(byteCounter, to - from);
    int written;
    try {
      written = socket.writeAddress(bytes.memoryAddress(), from, to);
    } catch (IOException e) {
      written = 0;
    }
    if (written == to - from) {
      bytes.release();
      return true;
    }
    bytes.readerIndex(from + written);
    (counted ? byteCounter : entry).write(bytes, noPromise);
    channel.flush();
    return true;
  }

  /**
   * False once more than the write queue's limit waits for the peer. What waits unflushed is
   * flushed first, so a burst that one turn produced is not mistaken for a slow reader.
   */
  @Override
  public boolean writable() {
    if (channel.isWritable()) {
      return true;
    }
    flush();
    return channel.isWritable();
  }


  /** Flushes what is pending and leaves the pipeline as it was (an HTTP connection lives on). */
  public void release() {
    flush();
    if (drainWatch != null && channel.pipeline().context(drainWatch) != null) {
      channel.pipeline().remove(drainWatch);
    }
  }

  EventLoop eventLoop() {
    return channel.eventLoop();
  }

  void flush() {
    if (pending) {
      pending = false;
      channel.flush();
    }
  }
}
