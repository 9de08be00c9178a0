package io.pushgateway.gateway.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.http.HttpReplies;
import io.pushgateway.gateway.metrics.WireMeters.WireMeter;
import java.util.ArrayDeque;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The two clocks of one HTTP/1.1 connection, so that a silent or trickling client cannot hold a
 * connection (and its {@code maxConnections} slot) for ever:
 *
 * <ul>
 *   <li>the <b>head clock</b>: a request head (line and headers) must be complete within
 *   {@code requestHeadTimeoutSeconds}, counted from the opening of the connection for its first
 *   request, and for a later one from its first byte (never while an answer is still being
 *   served, when the server may have stopped reading); the slowloris defence;</li>
 *   <li>the <b>body clock</b>: a request body must be complete within
 *   {@code requestBodyTimeoutSeconds} of its head, plus one second for every
 *   {@link #MIN_BODY_RATE} bytes received (Apache's mod_reqtimeout model): a big body on a slow
 *   link gets its time, a body trickled a byte at a time does not hold the connection;</li>
 *   <li>the <b>idle clock</b>: no byte in either direction for {@code idleTimeoutSeconds}. Long
 *   polls and SSE streams stay under it by configuration (see GatewayConfig).</li>
 * </ul>
 *
 * <p>Two Netty handlers share this state: one below the HTTP decoder sees every plain byte both
 * ways, push writes included (see ChannelOutput); one between the encoder and Vert.x sees request
 * heads come in and answers end. Vert.x's own idle handler sits where push writes never pass, so
 * it would cut SSE streams. A connection upgraded to a WebSocket leaves both clocks: its liveness
 * is the WebSocket peer's pings. An SSE stream keeps them, its answer open until it closes.
 *
 * <p>The upper handler also keeps pipelined requests in their turn: a request read while an
 * earlier answer is owed, or while the connection's output is full, waits there (and the
 * connection is not read meanwhile) until the answers before it have ended and the output has
 * room. Vert.x begins each pipelined request as soon as the answer before it is written, whether
 * or not the client reads, so without this a few kilobytes of pipelined polls that are never read
 * would make the gateway hold gigabytes of answers.
 *
 * <p>The lower handler also counts bytes for a {@link WireMeter}, since it sees them all anyway:
 * a request that names a meter ({@link #claim}) is charged what its connection read and wrote
 * from the end of the previous answer to the end of its own (HTTP/1.1 answers in order, and
 * browsers never pipeline), and a WebSocket or SSE stream everything until it closes. Only a
 * metered WebSocket keeps that handler after its upgrade.
 */
final class ConnectionClock {

  /** Bytes a second a body must arrive at, once its first {@code requestBodyTimeoutSeconds} are used up. */
  static final int MIN_BODY_RATE = 500;
  private static final long NANOS_PER_BODY_BYTE = TimeUnit.SECONDS.toNanos(1) / MIN_BODY_RATE;
  /** The lower handler's name in the pipeline, by which the meter and ChannelOutput find it. */
  private static final String BYTES = "clock-bytes";

  private final Channel channel;
  private final long headNanos;
  private final long bodyNanos;
  private final long idleNanos;
  private final Bytes bytes = new Bytes();
  private final Messages messages = new Messages();
  /** Held by the channel until it closes, or until the connection upgrades and needs no clock. */
  private final ChannelFutureListener onClose = f -> {
    stop(false);
    releaseMeter();
  };
  /** The head clock's check, left scheduled when the clock is disarmed (see {@link #armHead}). */
  private Future<?> headTimer;
  /** Whether a head is being waited for, and by when it must be complete. */
  private boolean headArmed;
  private long headDeadline;
  private Future<?> bodyTimer;
  private Future<?> idleTimer;
  /** While a body is on its way: when it must be complete, moved on by every part received. */
  private long bodyDeadline;
  private boolean bodyPending;
  private long lastActivity;
  /** The meter charged for this connection's bytes now, or null. */
  private WireMeter meter;
  /** Bytes read and written since the last answer ended, while no meter is claimed. */
  private long unmeteredUp;
  private long unmeteredDown;
  /** Request heads received whose answer has not ended yet. */
  private int outstanding;
  /** Whether the answer to the oldest of them has begun (its head is written). */
  private boolean answerBegun;
  /** Bytes read since the last decoded head or body end: a head in the making. */
  private boolean partialHead;
  /** Whether the last read came to a connection at rest: no request open, no head or body begun. */
  private boolean restedBeforeRead;
  private boolean stopped;
  /** Whether the answer being served is a stream for the connection's life (an SSE response). */
  private boolean streaming;
  /** Requests waiting for their turn (see the class comment), with what followed them; null when none. */
  private ArrayDeque<Object> waiting;

  private ConnectionClock(Channel channel, long headMillis, long bodyMillis, long idleMillis) {
    this.channel = channel;
    this.headNanos = TimeUnit.MILLISECONDS.toNanos(headMillis);
    this.bodyNanos = TimeUnit.MILLISECONDS.toNanos(bodyMillis);
    this.idleNanos = TimeUnit.MILLISECONDS.toNanos(idleMillis);
  }

  /** Starts both clocks of a new connection; called on its event loop, before it has read a request. */
  static void start(Channel channel, long headMillis, long bodyMillis, long idleMillis) {
    ChannelPipeline pipeline = channel.pipeline();
    if (pipeline.context(HttpRequestDecoder.class) == null || pipeline.context(HttpResponseEncoder.class) == null) {
      return;
    }
    ConnectionClock clock = new ConnectionClock(channel, headMillis, bodyMillis, idleMillis);
    pipeline.addBefore(pipeline.context(HttpRequestDecoder.class).name(), BYTES, clock.bytes);
    pipeline.addAfter(pipeline.context(HttpResponseEncoder.class).name(), "clock-messages", clock.messages);
    clock.lastActivity = System.nanoTime();
    clock.idleTimer = clock.schedule(clock::idleCheck, clock.idleNanos);
    clock.armHead();
    channel.closeFuture().addListener(clock.onClose);
  }

  /**
   * Charges the request being served on {@code channel}, and its connection until its answer ends,
   * to {@code meter}; on the channel's event loop. Nothing on a connection without a clock.
   */
  static void claim(Channel channel, WireMeter meter) {
    if (channel.pipeline().get(BYTES) instanceof Bytes bytes) {
      ConnectionClock clock = bytes.clock();
      clock.releaseMeter();
      clock.meter = meter;
      meter.claim(clock.unmeteredUp, clock.unmeteredDown);
      clock.unmeteredUp = 0;
      clock.unmeteredDown = 0;
    }
  }

  /**
   * The context of the channel's byte counter, for bytes written to its socket without crossing the
   * pipeline (see ChannelOutput); null on a connection without a clock.
   */
  static ChannelHandlerContext byteCounter(Channel channel) {
    return channel.pipeline().context(BYTES);
  }

  /**
   * Counts bytes written around the pipeline, as the counter would have seen them pass; false if
   * the counter has left the pipeline.
   */
  static boolean wroteAround(ChannelHandlerContext byteCounter, long bytes) {
    if (!byteCounter.isRemoved() && byteCounter.handler() instanceof Bytes counter) {
      counter.wrote(bytes);
      return true;
    }
    return false;
  }

  /**
   * The answer being served on {@code channel} is a stream that lasts as long as the connection (an
   * SSE response taken from Vert.x, see VertxHandover): the end Vert.x writes after its head alone
   * does not end it, so its meter is charged to the close and no new request is waited for.
   */
  static void streaming(Channel channel) {
    ConnectionClock clock = of(channel);
    if (clock != null) {
      clock.streaming = true;
      // requests sent behind a stream are never served: Vert.x would have dropped them too
      clock.dropWaiting();
    }
  }

  /** The clock of {@code channel}, or null on a connection without one. */
  static ConnectionClock of(Channel channel) {
    return channel.pipeline().get(BYTES) instanceof Bytes bytes ? bytes.clock() : null;
  }

  /** The byte counter's name, after which a handler sees the plain bytes it counted. */
  static String counterName() {
    return BYTES;
  }

  /**
   * Whether the read being handled began a new request on a connection at rest: the HTTP decoder
   * waits for a head, and no answer is owed.
   */
  boolean restedBeforeRead() {
    return restedBeforeRead && waiting == null && !stopped;
  }

  /** Whether a wire meter is charged for the request being served. */
  boolean metered() {
    return meter != null;
  }

  /** A whole request head read was taken below the decoder ({@link RePollShortcut}): an answer is owed. */
  void headServedBelow() {
    outstanding++;
    disarmHead();
    partialHead = false;
  }

  /** The answer to a head taken below the decoder has been written. */
  void answerServedBelow() {
    answered();
  }

  /** The oldest answer owed has ended: the head clock may run again, and a waiting request go on. */
  private void answered() {
    answerEnded();
    outstanding--;
    if (outstanding == 0 && partialHead) {
      armHead();
    }
    if (waiting != null) {
      // not from inside the write that ended it: Vert.x has yet to hear that its answer is done
      channel.eventLoop().execute(messages::proceed);
    }
  }

  /**
   * Whether a request read now waits for its turn: an answer before it is owed or the output is
   * full, unless the connection serves a stream or is closing (what it reads then is dropped).
   */
  private boolean mustWait() {
    return (outstanding > 0 || !channel.isWritable()) && !streaming
      && !(channel instanceof DuplexChannel duplex && duplex.isOutputShutdown());
  }

  private void await(Object msg) {
    if (waiting == null) {
      waiting = new ArrayDeque<>();
    }
    waiting.add(msg);
    // the connection is read no further: what waits stays within one read
    channel.config().setAutoRead(false);
    if (msg instanceof HttpRequest) {
      disarmHead(); // a whole head is here; it waits for the gateway, not for its client
    }
    if (msg instanceof HttpRequest || msg instanceof LastHttpContent) {
      partialHead = false;
    }
  }

  private void dropWaiting() {
    if (waiting != null) {
      waiting.forEach(ReferenceCountUtil::release);
      waiting = null;
      channel.config().setAutoRead(true);
    }
  }

  private void releaseMeter() {
    if (meter != null) {
      meter.release();
      meter = null;
    }
  }

  /** Bytes read ({@code up}) and written ({@code down}): the meter's, or held until one is claimed. */
  private void count(long up, long down) {
    if (meter != null) {
      meter.add(up, down);
    } else {
      unmeteredUp += up;
      unmeteredDown += down;
    }
  }

  private static long size(Object msg) {
    if (msg instanceof ByteBuf buf) {
      return buf.readableBytes();
    }
    if (msg instanceof ByteBufHolder holder) {
      return holder.content().readableBytes();
    }
    return msg instanceof FileRegion region ? region.count() : 0;
  }

  /** An answer ended: what follows belongs to the next request. */
  private void answerEnded() {
    answerBegun = false;
    releaseMeter();
    unmeteredUp = 0;
    unmeteredDown = 0;
  }

  /**
   * Starts the head clock unless it runs. Every request arms and disarms it, so it is a deadline
   * and one check left scheduled: disarming cancels nothing, and a check that finds a later
   * deadline schedules itself again, so a busy connection costs a scheduled task every
   * {@code requestHeadTimeoutSeconds} instead of two heap operations per request.
   */
  private void armHead() {
    if (!headArmed && !stopped) {
      headArmed = true;
      headDeadline = System.nanoTime() + headNanos;
      if (headTimer == null) {
        headTimer = schedule(this::headCheck, headNanos);
      }
    }
  }

  private void disarmHead() {
    headArmed = false;
  }

  private void headCheck() {
    headTimer = null;
    if (stopped || !headArmed) {
      return;
    }
    long left = headDeadline - System.nanoTime();
    if (left > 0) {
      headTimer = schedule(this::headCheck, left);
    } else {
      // RFC 9110 §15.5.9 lets a server close a connection it will not wait on any longer; a client
      // that cannot finish a head in this time is not going to read a 408 either.
      channel.close();
    }
  }

  /** Armed only when a read ends with a body still on its way: bodiless requests never start it. */
  private void armBody() {
    if (bodyTimer == null && !stopped) {
      bodyTimer = schedule(this::bodyCheck, Math.max(0, bodyDeadline - System.nanoTime()));
    }
  }

  private void bodyCheck() {
    bodyTimer = null;
    if (stopped || !bodyPending) {
      return;
    }
    long left = bodyDeadline - System.nanoTime();
    if (left <= 0) {
      channel.close(); // as for a head: a client this slow would not read a 408 either
    } else {
      bodyTimer = schedule(this::bodyCheck, left);
    }
  }

  private void idleCheck() {
    idleTimer = null;
    if (stopped) {
      return;
    }
    long quiet = System.nanoTime() - lastActivity;
    if (quiet >= idleNanos) {
      channel.close();
    } else {
      idleTimer = schedule(this::idleCheck, idleNanos - quiet);
    }
  }

  private Future<?> schedule(Runnable task, long nanos) {
    return channel.eventLoop().schedule(task, nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * Both clocks off and their handlers gone: on close, and when the connection becomes a
   * WebSocket; a metered WebSocket keeps the lower handler for its meter.
   */
  private void stop(boolean keepMeter) {
    if (stopped) {
      return;
    }
    stopped = true;
    disarmHead();
    if (headTimer != null) {
      headTimer.cancel(false);
      headTimer = null;
    }
    if (bodyTimer != null) {
      bodyTimer.cancel(false);
      bodyTimer = null;
    }
    if (idleTimer != null) {
      idleTimer.cancel(false);
      idleTimer = null;
    }
    if (waiting != null && channel.isActive()) {
      // requests sent behind a WebSocket upgrade, before its answer (RFC 6455 §4.1 forbids it)
      channel.close();
    }
    dropWaiting();
    ChannelPipeline pipeline = channel.pipeline();
    if (pipeline.context(bytes) != null && !keepMeter) {
      pipeline.remove(bytes);
    }
    if (pipeline.context(messages) != null) {
      pipeline.remove(messages);
    }
    RePollShortcut.leave(pipeline);
  }

  /** Plain bytes both ways, below the HTTP codec. */
  private final class Bytes extends ChannelDuplexHandler {
    ConnectionClock clock() {
      return ConnectionClock.this;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      count(size(msg), 0);
      lastActivity = System.nanoTime();
      restedBeforeRead = outstanding == 0 && !partialHead && !bodyPending && !stopped;
      partialHead = true;
      if (outstanding == 0) {
        armHead();
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      wrote(size(msg));
      ctx.write(msg, promise);
    }

    void wrote(long bytes) {
      count(0, bytes);
      lastActivity = System.nanoTime();
    }
  }

  /**
   * A body whose chunked framing broke (RFC 9112 §7.1): the decoder gives up on the connection,
   * and Vert.x would close it unanswered. It is answered here (400) when that answer is the next
   * the connection owes (its request is the only one open and its answer has not begun), then
   * closed as any refused request is (the rest of it read and dropped first); otherwise only closed.
   */
  private void refuseBrokenBody(ChannelHandlerContext ctx, HttpContent content) {
    content.release();
    bodyPending = false;
    if (outstanding != 1 || answerBegun) {
      channel.close();
      return;
    }
    byte[] body = HttpReplies.errorBody(new GatewayException(ErrorCode.INVALID_PARAMETER,
      "the request body's chunked framing is broken (RFC 9112 §7.1)")).getBytes();
    FullHttpResponse answer = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST,
      Unpooled.wrappedBuffer(body));
    answer.headers()
      .set(HttpHeaderNames.CONTENT_TYPE, HttpReplies.JSON)
      .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
      .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
      .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(answer);
    RawConnection.closeAfterAnswer(channel);
  }

  /** Decoded request heads in, Vert.x's answers out, above the HTTP codec. */
  private final class Messages extends ChannelDuplexHandler {
    private ChannelHandlerContext ctx;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (waiting != null || msg instanceof HttpRequest && mustWait()) {
        await(msg);
      } else {
        take(ctx, msg);
      }
    }

    /** Lets the waiting requests go on, in order, as far as their turn has come. */
    void proceed() {
      boolean took = false;
      while (waiting != null && !ctx.isRemoved() && !(waiting.peek() instanceof HttpRequest && mustWait())) {
        Object next = waiting.poll();
        if (waiting.isEmpty()) {
          waiting = null;
          channel.config().setAutoRead(true);
        }
        take(ctx, next);
        took = true;
      }
      if (took && !ctx.isRemoved()) {
        channelReadComplete(ctx); // the end of a read, at which Vert.x flushes what it answered
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      ctx.fireChannelWritabilityChanged();
      if (waiting != null && channel.isWritable()) {
        proceed();
      }
    }

    private void take(ChannelHandlerContext ctx, Object msg) {
      // a head the decoder refused is a request (a full one) too: the server's invalid request handler answers it
      if (msg instanceof HttpContent content && !(msg instanceof HttpRequest) && content.decoderResult().isFailure()) {
        refuseBrokenBody(ctx, content);
        return;
      }
      if (msg instanceof HttpRequest) {
        outstanding++;
        disarmHead();
        bodyPending = true;
        bodyDeadline = System.nanoTime() + bodyNanos;
      }
      if (msg instanceof HttpContent content && bodyPending) {
        bodyDeadline += content.content().readableBytes() * NANOS_PER_BODY_BYTE;
      }
      if (msg instanceof LastHttpContent) {
        bodyPending = false;
      }
      if (msg instanceof HttpRequest || msg instanceof LastHttpContent) {
        // What came so far was a head, or a body: the next byte starts a new head.
        partialHead = false;
      }
      if (msg instanceof LastHttpContent && outstanding == 0) {
        // The rest of a body answered early (a 413, say) is no head: the clock was armed by it.
        disarmHead();
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      if (bodyPending) {
        armBody();
      }
      ctx.fireChannelReadComplete();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      boolean upgrade = false;
      boolean interim = false;
      if (msg instanceof HttpResponse response) {
        upgrade = response.status().code() == 101;
        // 100 Continue is not the answer (RFC 9110 §15.2); the final one follows.
        interim = !upgrade && response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
        answerBegun |= !interim;
      }
      ctx.write(msg, promise);
      if (upgrade) {
        boolean metered = meter != null;
        stop(metered);
        if (!metered) {
          // nothing left to do at its close: an idle WebSocket does not keep the clock alive
          channel.closeFuture().removeListener(onClose);
        }
      } else if (msg instanceof LastHttpContent && !interim && outstanding > 0 && !streaming) {
        answered();
      }
    }
  }
}
