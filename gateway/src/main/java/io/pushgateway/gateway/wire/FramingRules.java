package io.pushgateway.gateway.wire;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import java.util.List;

/**
 * Vert.x's request decoder with the framing rules of RFC 9112 that Netty leaves to the server: a
 * request whose body length two parsers could read differently is refused, not guessed at, so a
 * proxy in front and the gateway never disagree on where one request ends and the next begins
 * (request smuggling). Refused with the decoder's failure, which the server's invalid request
 * handler answers (400) before it closes the connection:
 *
 * <ul>
 *   <li>{@code Transfer-Encoding} together with {@code Content-Length} (§6.1: the server must at
 *       least close the connection; Netty would drop the length and keep the connection);
 *   <li>a {@code Transfer-Encoding} other than {@code chunked} alone, such as {@code chunked,
 *       identity} or {@code gzip}: chunked must be the final coding (§6.3), and the gateway
 *       understands no other (Netty would take any list that names chunked anywhere);
 *   <li>{@code Transfer-Encoding} in an HTTP/1.0 request (§6.1: its framing is faulty);
 *   <li>more than one {@code Host} (§3.2).
 * </ul>
 *
 * <p>A request line naming another version than HTTP/1.0 or 1.1 is refused the same way, and
 * answered 505 in HTTP/1.1 (Vert.x would answer 501 with an empty body, in the version it was
 * asked in).
 */
public final class FramingRules extends VertxHttpRequestDecoder {

  /** A head refused by these rules; its message says which. */
  public static final class AmbiguousFraming extends IllegalArgumentException {
    AmbiguousFraming(String message) {
      super(message, null);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this; // a client's mistake, answered and counted: no stack to walk
    }
  }

  /** A request line naming a version other than HTTP/1.0 and 1.1 (an HTTP/2 preface, say). */
  public static final class UnsupportedVersion extends IllegalArgumentException {
    UnsupportedVersion(String version) {
      super(version + " is not spoken here: HTTP/1.1 (RFC 9110 §15.6.6)", null);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }

  private FramingRules(HttpServerOptions options) {
    super(options);
  }

  /** Puts the rules in place of Vert.x's decoder on a new connection, before it reads its first request. */
  public static void install(Channel channel, HttpServerOptions options) {
    ChannelPipeline pipeline = channel.pipeline();
    if (pipeline.get(HttpRequestDecoder.class) instanceof VertxHttpRequestDecoder decoder && !(decoder instanceof FramingRules)) {
      pipeline.replace(decoder, pipeline.context(decoder).name(), new FramingRules(options));
    }
  }

  /** Called by the decoder once it has read a head, before it decides how the body is framed. */
  @Override
  protected boolean isContentAlwaysEmpty(HttpMessage message) {
    if (message == null) {
      return super.isContentAlwaysEmpty(null);
    }
    HttpVersion version = message.protocolVersion();
    if (version.majorVersion() != 1 || version.minorVersion() > 1) {
      message.setProtocolVersion(HttpVersion.HTTP_1_1); // the version the answer is given in
      throw new UnsupportedVersion(version.text());
    }
    HttpHeaders headers = message.headers();
    if (headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
      List<String> codings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
      if (headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
        throw new AmbiguousFraming("a request may not carry both Transfer-Encoding and Content-Length (RFC 9112 §6.1)");
      }
      if (version.equals(HttpVersion.HTTP_1_0)) {
        throw new AmbiguousFraming("an HTTP/1.0 request may not carry Transfer-Encoding (RFC 9112 §6.1)");
      }
      if (codings.size() > 1 || !codings.get(0).trim().equalsIgnoreCase("chunked")) {
        throw new AmbiguousFraming("the only Transfer-Encoding accepted is chunked, alone (RFC 9112 §6.3)");
      }
    }
    if (headers.getAll(HttpHeaderNames.HOST).size() > 1) {
      throw new AmbiguousFraming("a request may carry one Host header (RFC 9112 §3.2)");
    }
    return super.isContentAlwaysEmpty(message);
  }
}
