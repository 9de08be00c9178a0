package io.pushgateway.gateway.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.pushgateway.gateway.http.HttpReplies;
import io.pushgateway.gateway.transport.PollReply;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * A long poll's re-polls, served below Vert.x. A long-polling client sends the same request again
 * and again, only its cursor moving on; Vert.x, its router and the gateway's perimeter (canonical
 * path, origin, connection admission, token and grants) have judged the request once. When the
 * next request on the connection is byte for byte the one they let through, bar the cursor's
 * value, it gets the same judgement, so it is taken here as it arrives, its cursor decoded as
 * Vert.x would, and answered here with the same status line and headers. That skips the HTTP
 * codec, Vert.x's request and response, the router and most of the pipeline: the greater part of
 * a poll's user time (see docs/performance.md).
 *
 * <p>What could make the judgement differ is checked again or left to Vert.x: an expired token
 * (the template lapses with it), a cursor that does not decode or parse (Vert.x answers the
 * error), a request line over the server's limit (Vert.x answers 414), anything but exactly one
 * whole head in one read on a connection at rest, a metered request. HTTP/1.1's order holds:
 * while a re-poll waits, what else the client sends is held, unread further, until it is
 * answered. The connection's clocks are told of heads taken and answers written, as the decoder
 * and Vert.x would tell them.
 */
public final class RePollShortcut extends ChannelInboundHandlerAdapter {

  /** The handler's name in the pipeline, right after the connection clock's byte counter. */
  static final String NAME = "re-polls";
  private static final byte[] CURSOR = "cursor=".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] OK = statusLine(200);
  /** A head longer than this is never learnt: such requests stay with Vert.x. */
  private static final int MAX_HEAD = 16 * 1024;
  private static final int END_OF_HEAD = 0x0D0A0D0A;

  /** Serves a re-poll: the approved poll's parameters with another cursor. */
  public interface Server {
    /**
     * The re-poll with {@code cursor} (decoded), ready to start; null to leave the request to
     * Vert.x, which answers it the usual way (an error, or at once without a cursor).
     */
    Start accept(String cursor);
  }

  /** A re-poll accepted; it answers through the reply, once. */
  public interface Start {
    void start(Reply reply);
  }

  private final ConnectionClock clock;
  private ChannelHandlerContext ctx;
  /** The last whole head this connection passed up to Vert.x, until it is approved or another comes. */
  private byte[] lastHead;
  /** The approved head up to its cursor's value, and what follows the value; null: none approved. */
  private ByteBuf prefix;
  private ByteBuf suffix;
  /** The longest cursor value that keeps the request line within the server's limit, its end counted. */
  private int maxCursorBytes;
  /** The approved answer's headers, up to its content length's value. */
  private byte[] answerHeaders;
  private Server server;
  /** Vert.x's meters of the connection, told of each re-poll as Vert.x would tell them. */
  private VertxMeters meters;
  /** When the approval lapses, epoch milliseconds (the token's expiry); 0: never. */
  private long validUntilMillis;
  /**
   * Whether the HTTP decoder holds nothing: the last read passed up was one whole head and nothing
   * else (unknown, so false, for the read that set the shortcut up).
   */
  private boolean decoderEmpty;
  /** The re-poll waiting for its answer, or null. */
  private Reply pending;
  /** What the client sent while a re-poll waited, read after its answer. */
  private ByteBuf held;

  private RePollShortcut(ConnectionClock clock) {
    this.clock = clock;
  }

  /**
   * Offers the long poll being served, which the perimeter let through, as the template of its
   * connection's re-polls, served by {@code server} (null: this poll cannot be one, having no
   * cursor or asking for presence); {@code validUntilMillis} is its token's expiry (0: none),
   * {@code maxLine} the server's limit on a request line. The first offer on a connection sets the
   * shortcut up to learn the next head; a later one approves the head it learnt, if that is this
   * request's.
   */
  public static void offer(HttpServerRequest request, long validUntilMillis, int maxLine, Server server) {
    if (request.version() != HttpVersion.HTTP_1_1 || request.method() != HttpMethod.GET || !bodiless(request.headers())) {
      return;
    }
    Channel channel = RawConnection.channelOf(request.connection());
    ConnectionClock clock = ConnectionClock.of(channel);
    if (clock == null || clock.metered()) {
      return;
    }
    ChannelPipeline pipeline = channel.pipeline();
    if (pipeline.get(NAME) instanceof RePollShortcut shortcut) {
      if (server != null) {
        shortcut.approve(request, validUntilMillis, maxLine, server);
      }
    } else {
      pipeline.addAfter(ConnectionClock.counterName(), NAME, new RePollShortcut(clock));
    }
  }

  /** Leaves {@code pipeline}: the connection closed or became a WebSocket. */
  static void leave(ChannelPipeline pipeline) {
    if (pipeline.get(NAME) != null) {
      pipeline.remove(NAME);
    }
  }

  /** No body, no upgrade, no close: a request whose answer leaves the connection as it found it. */
  private static boolean bodiless(MultiMap headers) {
    String connection = headers.get(HttpHeaders.CONNECTION);
    return !headers.contains(HttpHeaders.CONTENT_LENGTH) && !headers.contains(HttpHeaders.TRANSFER_ENCODING)
      && !headers.contains(HttpHeaders.EXPECT) && !headers.contains(HttpHeaders.UPGRADE)
      && (connection == null || HttpHeaderValues.KEEP_ALIVE.contentEqualsIgnoreCase(connection));
  }

  private void approve(HttpServerRequest request, long validUntilMillis, int maxLine, Server server) {
    byte[] head = lastHead;
    lastHead = null;
    byte[] line = ("GET " + request.uri() + " HTTP/1.1\r\n").getBytes(StandardCharsets.ISO_8859_1);
    if (head == null || head.length < line.length || !Arrays.equals(head, 0, line.length, line, 0, line.length)
        || request.params().getAll("cursor").size() != 1) {
      return;
    }
    int value = cursorValue(line);
    int end = value;
    while (end < line.length && line[end] != '&' && line[end] != ' ') {
      end++;
    }
    String cursor = value < 0 ? null : decodedCursor(Unpooled.wrappedBuffer(head), value, end);
    if (cursor == null || !cursor.equals(request.getParam("cursor"))) {
      return;
    }
    this.prefix = Unpooled.wrappedBuffer(head, 0, value);
    this.suffix = Unpooled.wrappedBuffer(head, end, head.length - end);
    this.maxCursorBytes = maxLine - value - (line.length - end);
    this.answerHeaders = answerHeaders(request.response().headers());
    this.meters = new VertxMeters((ConnectionBase) request.connection(), request.uri());
    this.validUntilMillis = validUntilMillis;
    this.server = server;
  }

  /** Where the value of the request line's first {@code cursor=} parameter starts, or -1. */
  private static int cursorValue(byte[] line) {
    int i = 0;
    while (i < line.length && line[i] != '?') {
      i++; // "GET " and the path: no space before the query in a request target
    }
    for (i++; i + CURSOR.length <= line.length && line[i] != ' '; i++) {
      if ((line[i - 1] == '?' || line[i - 1] == '&')
          && Arrays.equals(line, i, i + CURSOR.length, CURSOR, 0, CURSOR.length)) {
        return i + CURSOR.length;
      }
    }
    return -1;
  }

  /**
   * The cursor's value decoded as Vert.x decodes a query parameter, or null when Vert.x might read
   * it otherwise: only visible ASCII, escapes of two hex digits, none of the characters that end a
   * parameter or change its decoding ({@code & ; # +} and space).
   */
  private static String decodedCursor(ByteBuf head, int from, int to) {
    for (int i = from; i < to; i++) {
      byte b = head.getByte(i);
      if (b <= ' ' || b >= 0x7F || b == '&' || b == ';' || b == '#' || b == '+') {
        return null;
      }
      if (b == '%' && (i + 2 >= to || Character.digit(head.getByte(i + 1), 16) < 0
          || Character.digit(head.getByte(i + 2), 16) < 0)) {
        return null;
      }
    }
    return QueryStringDecoder.decodeComponent(head.toString(from, to - from, StandardCharsets.US_ASCII));
  }

  /** The answer's headers, as Vert.x writes them, up to the content length's value. */
  private static byte[] answerHeaders(MultiMap perimeterHeaders) {
    StringBuilder head = new StringBuilder();
    for (Map.Entry<String, String> header : perimeterHeaders) {
      head.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
    }
    head.append(HttpHeaders.CONTENT_TYPE).append(": ").append(HttpReplies.JSON).append("\r\n")
      .append(HttpHeaders.CACHE_CONTROL).append(": no-store\r\n")
      .append(HttpHeaders.CONTENT_LENGTH).append(": ");
    return head.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf in)) {
      ctx.fireChannelRead(msg);
    } else if (pending != null) {
      hold(in);
    } else {
      read(in, decoderEmpty && clock.restedBeforeRead());
    }
  }

  /** {@code in}, read on a connection {@code atRest}: served here, or passed up to Vert.x. */
  private void read(ByteBuf in, boolean atRest) {
    boolean oneHead = isOneWholeHead(in);
    if (atRest && oneHead && server != null && served(in)) {
      return;
    }
    lastHead = atRest && oneHead && in.readableBytes() <= MAX_HEAD ? ByteBufUtil.getBytes(in) : null;
    decoderEmpty = oneHead;
    ctx.fireChannelRead(in);
  }

  /** Whether {@code in} is one request head, whole, and nothing else. */
  private static boolean isOneWholeHead(ByteBuf in) {
    int end = in.writerIndex() - 4;
    if (end < in.readerIndex() || in.getInt(end) != END_OF_HEAD) {
      return false;
    }
    for (int i = in.readerIndex(); i < end; i++) {
      if (in.getByte(i) == '\r' && in.getInt(i) == END_OF_HEAD) {
        return false;
      }
    }
    return true;
  }

  /** Serves {@code in} here if it is the approved head with another cursor. */
  private boolean served(ByteBuf in) {
    if (validUntilMillis != 0 && System.currentTimeMillis() >= validUntilMillis) {
      server = null; // the token expired: Vert.x answers 401 from now on
      return false;
    }
    int start = in.readerIndex();
    int length = in.readableBytes();
    int before = prefix.readableBytes();
    int after = suffix.readableBytes();
    // a cursor padded past the line limit is Vert.x's to refuse (414), as any other long line;
    // the line's end is counted too, so a line the decoder takes may go to Vert.x, never the reverse
    if (length < before + after || length - before - after > maxCursorBytes
        || !ByteBufUtil.equals(in, start, prefix, 0, before)
        || !ByteBufUtil.equals(in, start + length - after, suffix, 0, after)) {
      return false;
    }
    String cursor = decodedCursor(in, start + before, start + length - after);
    Start poll = cursor == null ? null : server.accept(cursor);
    if (poll == null) {
      return false;
    }
    pending = new Reply(meters, meters.begin(length));
    in.release();
    clock.headServedBelow();
    poll.start(pending);
    return true;
  }

  /** A request sent while a re-poll waits: it is read once the re-poll is answered (HTTP/1.1's order). */
  private void hold(ByteBuf in) {
    held = held == null ? in : ctx.alloc().compositeBuffer().addComponents(true, held, in);
    ctx.channel().config().setAutoRead(false);
  }

  private void readHeld() {
    ByteBuf next = held;
    held = null;
    ctx.channel().config().setAutoRead(true);
    if (next != null && ctx.channel().isActive()) {
      // nothing reached Vert.x while the re-poll waited: what was held starts a request at rest;
      // and it is a read like any other, whose end lets Vert.x flush what it answered
      read(next, decoderEmpty);
      ctx.fireChannelReadComplete();
    } else if (next != null) {
      next.release();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    abandon();
    ctx.fireChannelInactive();
  }

  /** Removed when the connection closes (the clock goes first) or becomes a WebSocket. */
  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    abandon();
  }

  private void abandon() {
    Reply waiting = pending;
    pending = null;
    if (held != null) {
      held.release();
      held = null;
    }
    if (waiting != null && !waiting.ended) {
      waiting.ended = true;
      waiting.meters.reset(waiting.metric);
      if (waiting.onClose != null) {
        waiting.onClose.run();
      }
    }
  }

  /** The answer of one re-poll: written once, then the connection reads on. */
  public final class Reply implements PollReply {
    private final VertxMeters meters;
    /** Vert.x's meter of this request, or null. */
    private final Object metric;
    private Runnable onClose;
    private boolean ended;

    private Reply(VertxMeters meters, Object metric) {
      this.meters = meters;
      this.metric = metric;
    }

    @Override
    public boolean closed() {
      return ended || !ctx.channel().isActive();
    }

    @Override
    public void onClose(Runnable action) {
      this.onClose = action;
    }

    /** {@code GET} and the approved request's path. */
    @Override
    public String served() {
      return "GET " + meters.path();
    }

    /** Writes {@code status}, the approved poll's headers and {@code body}. */
    @Override
    public void json(int status, Buffer body) {
      if (closed()) {
        return;
      }
      ended = true;
      pending = null;
      ByteBuf content = ((BufferInternal) body).getByteBuf();
      byte[] line = status == 200 ? OK : statusLine(status);
      byte[] length = Integer.toString(content.readableBytes()).getBytes(StandardCharsets.US_ASCII);
      ByteBuf answer = ctx.alloc().ioBuffer(line.length + answerHeaders.length + length.length + 4
        + content.readableBytes());
      answer.writeBytes(line).writeBytes(answerHeaders).writeBytes(length).writeBytes(CRLF).writeBytes(CRLF);
      if (content.hasArray()) {
        // from the array: Netty copies a heap buffer into a pooled one through two NIO views
        answer.writeBytes(content.array(), content.arrayOffset() + content.readerIndex(), content.readableBytes());
      } else {
        answer.writeBytes(content);
      }
      meters.end(metric, status, answer.readableBytes(), content.readableBytes());
      ctx.writeAndFlush(answer, ctx.voidPromise());
      clock.answerServedBelow();
      if (held != null) {
        ctx.executor().execute(RePollShortcut.this::readHeld);
      }
    }

  }

  private static byte[] statusLine(int status) {
    return ("HTTP/1.1 " + HttpResponseStatus.valueOf(status) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
  }

  /**
   * Vert.x's HTTP server meters ({@code vertx_http_server_*}) of one connection: a re-poll counts
   * as a request, with its bytes, its answer's status and time, as if Vert.x had served it.
   */
  private static final class VertxMeters implements HttpRequest {
    private final ConnectionBase connection;
    private final HttpServerMetrics<Object, Object, Object> metrics;
    private final Object socketMetric;
    private final String uri;
    private final SocketAddress remoteAddress;

    @SuppressWarnings("unchecked")
    VertxMeters(ConnectionBase connection, String uri) {
      this.connection = connection;
      this.metrics = connection.metrics() instanceof HttpServerMetrics<?, ?, ?> server
        ? (HttpServerMetrics<Object, Object, Object>) server : null;
      this.socketMetric = connection.metric();
      this.uri = uri;
      this.remoteAddress = connection.remoteAddress();
    }

    /** A request of {@code headBytes} came; its meter, or null. */
    Object begin(int headBytes) {
      connection.reportBytesRead(headBytes);
      if (metrics == null) {
        return null;
      }
      Object request = metrics.requestBegin(socketMetric, this);
      metrics.requestEnd(request, this, 0);
      return request;
    }

    void end(Object request, int status, int wireBytes, int bodyBytes) {
      connection.reportBytesWritten(wireBytes);
      if (request != null) {
        metrics.responseEnd(request, new Answer(status), bodyBytes);
      }
    }

    /** The path of the approved request, without its query. */
    String path() {
      int query = uri.indexOf('?');
      return query < 0 ? uri : uri.substring(0, query);
    }

    /** The connection closed before the answer. */
    void reset(Object request) {
      if (request != null) {
        metrics.requestReset(request);
      }
    }

    @Override
    public int id() {
      return 0;
    }

    /** The approved request's: meters label by method and code only. */
    @Override
    public String uri() {
      return uri;
    }

    @Override
    public String absoluteURI() {
      return uri;
    }

    @Override
    public HttpMethod method() {
      return HttpMethod.GET;
    }

    @Override
    public MultiMap headers() {
      return HttpHeaders.headers();
    }

    @Override
    public SocketAddress remoteAddress() {
      return remoteAddress;
    }

    private record Answer(int statusCode) implements HttpResponse {
      @Override
      public MultiMap headers() {
        return HttpHeaders.headers();
      }
    }
  }
}
