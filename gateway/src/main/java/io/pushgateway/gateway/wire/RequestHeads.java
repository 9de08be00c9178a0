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
    return cause instanceof TooLongHttpHeaderException ? Failure.HEADERS_TOO_LARGE : Failure.MALFORMED;
  }
}
