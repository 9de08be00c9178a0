package io.pushgateway.gateway.wire;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpServerRequest;

/** Why the HTTP/1.1 decoder refused a request head (RFC 9112 §3, §5), read from its failure. */
public final class RequestHeads {

  /** What was wrong with the head. */
  public enum Failure {
    /** The request line is over the decoder's limit: 414 (RFC 9110 §15.5.15). */
    LINE_TOO_LONG,
    /** The header section is over the decoder's limit: 431 (RFC 6585 §5). */
    HEADERS_TOO_LARGE,
    /** A version other than HTTP/1.0 and 1.1: 505 (RFC 9110 §15.6.6). */
    VERSION_NOT_SUPPORTED,
    /** A head whose body length could be read two ways ({@link FramingRules}): 400. */
    AMBIGUOUS_FRAMING,
    /** Anything else: 400. */
    MALFORMED
  }

  private RequestHeads() {
  }

  /** The failure of a request Vert.x hands to the server's invalid request handler. */
  public static Failure failure(HttpServerRequest request) {
    // decoderResult() is Vert.x's public API, but its type is Netty's: read here, not by the caller
    Throwable cause = request.decoderResult().cause();
    if (cause instanceof TooLongHttpLineException) {
      return Failure.LINE_TOO_LONG;
    }
    if (cause instanceof TooLongHttpHeaderException) {
      return Failure.HEADERS_TOO_LARGE;
    }
    if (cause instanceof FramingRules.UnsupportedVersion) {
      return Failure.VERSION_NOT_SUPPORTED;
    }
    return cause instanceof FramingRules.AmbiguousFraming ? Failure.AMBIGUOUS_FRAMING : Failure.MALFORMED;
  }

  /** What the decoder said of a request it refused. */
  public static String reason(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    return cause == null ? null : cause.getMessage();
  }
}
