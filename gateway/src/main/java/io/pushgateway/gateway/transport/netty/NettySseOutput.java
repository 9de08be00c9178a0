package io.pushgateway.gateway.transport.netty;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.util.ReferenceCountUtil;
import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.transport.SseOutput;
import io.pushgateway.gateway.wire.EncodedEvent;
import io.pushgateway.gateway.wire.SpelledEvent;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;

/**
 * An {@link SseOutput} on the raw channel. The head goes out through Vert.x with neither a length
 * nor chunking, so the body runs until the connection closes (RFC 9112 §6.3); then the channel is
 * taken from Vert.x ({@link VertxHandover}) and events are written as they are, a single-topic
 * event a view of bytes built once for every subscriber. Only for an HTTP/1.1 request that keeps
 * its connection: Vert.x closes any other once its response has ended.
 */
final class NettySseOutput extends ChannelInboundHandlerAdapter implements SseOutput {

  private HttpServerRequest request;
  private final int maxQueueBytes;
  private final FlushQueue flushes;
  private Channel channel;
  private ChannelOutput output;
  private Runnable gone;
  private Runnable onDisconnect;
  private boolean ended;

  NettySseOutput(HttpServerRequest request, int maxQueueBytes, FlushQueue flushes) {
    this.request = request;
    this.maxQueueBytes = maxQueueBytes;
    this.flushes = flushes;
  }

  @Override
  public void open(byte[] preamble, Runnable gone) {
    this.gone = gone;
    channel = RawConnection.channelOf(request.connection());
    if (!channel.isActive()) {
      ended = true;
      return;
    }
    ConnectionClock.streaming(channel);
    onDisconnect = VertxHandover.takeOver(request);
    request = null;
    // A client has nothing to send on its stream (see channelRead).
    channel.pipeline().remove(HttpRequestDecoder.class);
    channel.pipeline().addLast(this);
    output = ChannelOutput.fromTail(channel, maxQueueBytes, flushes);
    // Head and preamble leave once this turn of the event loop is over, as Vert.x flushes what it
    // writes while reading: by then the session has asked for its topics' heads, so a client that
    // publishes as soon as its stream opens finds its event after where the stream starts.
    channel.write(Unpooled.wrappedBuffer(preamble), channel.voidPromise());
    channel.eventLoop().execute(channel::flush);
  }

  @Override
  public boolean isOpen() {
    return !ended && channel.isActive();
  }

  @Override
  public void end() {
    if (isOpen()) {
      ended = true;
      output.closeAfterWrites();
    }
  }

  @Override
  public int event(Event event, int spelling) {
    SpelledEvent spelled = EncodedEvent.of(event).spelled(spelling);
    output.write(spelled.retainedSseBytes());
    return spelled.sseEventLength();
  }

  @Override
  public int event(Event event, int spelling, byte[] idLine) {
    SpelledEvent spelled = EncodedEvent.of(event).spelled(spelling);
    output.write(spelled.sseBytes(idLine));
    return idLine.length + spelled.sseDataLength();
  }

  @Override
  public void write(byte[] text) {
    output.write(Unpooled.wrappedBuffer(text));
  }

  @Override
  public boolean writable() {
    return output.writable();
  }

  @Override
  public Future<Void> drained() {
    return output.drained();
  }

  @Override
  public void release() {
    if (output != null) {
      output.release();
    }
  }

  // ---- the channel's last handler

  /**
   * Bytes from the client after its request (a pipelined request, which a stream that never ends
   * cannot answer, or anything else) end the stream: it resumes from its last id if it wants.
   */
  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ReferenceCountUtil.release(msg);
    ctx.close();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      output.channelWritable();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close(); // an I/O failure: the client is gone
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    onDisconnect.run();
    gone.run();
    ctx.fireChannelInactive();
  }
}
