package io.pushgateway.gateway.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.UnixChannel;
import io.netty.handler.ssl.SslHandler;
import io.pushgateway.gateway.transport.BoundedOutput;
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
 * only a WebSocket's close frame (written by its peer) takes another path, which flushes what is
 * pending before it.
 */
final class ChannelOutput extends BoundedOutput {

  private final Channel channel;
  private final ChannelPromise noPromise;
  private final FlushQueue flushes;
  private boolean pending;
  /** The channel's socket, for writes that skip the pipeline; null where they may not (TLS, not native). */
  private final FileDescriptor socket;
  /** The connection clock's byte counter, told of those writes; null without a clock. */
  private final ChannelHandlerContext byteCounter;

  /**
   * Writes from the pipeline's tail, through the encoders and TLS of a channel taken from Vert.x
   * (a raw WebSocket's, an SSE stream's). Its last handler tells of writability ({@link
   * #channelWritable}): no handler of the output's own, which an idle connection would carry for its
   * whole life.
   */
  static ChannelOutput fromTail(Channel channel, int maxQueueBytes, FlushQueue flushes) {
    return new ChannelOutput(channel, maxQueueBytes, flushes);
  }

  /** A raw WebSocket's output, told of writability by its peer. */
  static ChannelOutput ofWebSocket(WebSocketPeer peer, int maxQueueBytes, FlushQueue flushes) {
    ChannelOutput output = fromTail(peer.channel(), maxQueueBytes, flushes);
    peer.whenWritable(output::channelWritable);
    return output;
  }

  /** Also bounds the channel's write queue at {@code maxQueueBytes}, which {@link #writable()} judges by. */
  private ChannelOutput(Channel channel, int maxQueueBytes, FlushQueue flushes) {
    this.channel = channel;
    channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(maxQueueBytes / 2, maxQueueBytes));
    // The channel's own void promise: encoders that split a message (a WebSocket frame into its
    // header and payload) recognise it and skip combining a promise per part. A failed write reaches
    // the session through the pipeline's exception handling, as any broken connection does.
    this.noPromise = channel.voidPromise();
    this.flushes = flushes;
    this.socket = channel instanceof UnixChannel unix && channel.pipeline().get(SslHandler.class) == null
      ? unix.fd() : null;
    this.byteCounter = ConnectionClock.byteCounter(channel);
  }

  /** Writes a message (a ByteBuf, a WebSocket frame) this output now owns. */
  public void write(Object message) {
    if (socket != null && !pending && message instanceof ByteBuf bytes && sentStraight(bytes)) {
      return;
    }
    channel.write(message, noPromise);
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
    (counted ? byteCounter : channel).write(bytes, noPromise);
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


  /** Its channel's last handler saw the channel writable again. */
  void channelWritable() {
    onDrained();
  }

  /** Flushes what is pending. */
  public void release() {
    flush();
  }

  /**
   * Closes the channel after what was written, or at once when more than the write queue's limit
   * still waits for a client too slow to take it.
   */
  void closeAfterWrites() {
    flush();
    if (channel.isWritable()) {
      channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    } else {
      channel.close();
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
