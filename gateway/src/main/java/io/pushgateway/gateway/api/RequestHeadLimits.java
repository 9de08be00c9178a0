package io.pushgateway.gateway.api;

import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.core.Cursor;
import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.core.Topics;
import io.pushgateway.gateway.metrics.GatewayMetrics;
import io.pushgateway.gateway.http.HttpReplies;
import io.pushgateway.gateway.transport.netty.RawConnection;
import io.pushgateway.gateway.wire.RequestHeads;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * How long a request line and a request's headers may be, derived from the largest subscription
 * the protocol allows, so every legal one fits: {@code maxTopicsPerSubscription} topics of
 * {@link Topics#MAX_LENGTH} characters and a cursor entry of {@link Cursor#MAX_ENTRY_LENGTH} for
 * each, separators percent-encoded ({@code %2C}, {@code %3A}: three bytes each), a {@code ?token=}
 * JWT, and room for the rest. SSE's {@code Last-Event-ID} carries a cursor too, and the token may
 * come as {@code Authorization: Bearer}, so the header limit grows with them.
 *
 * <p>A request over a limit is answered in the protocol's error format, not with Vert.x's empty
 * body: 414 for the line, 431 for the headers (RFC 9110 §15.5.15, RFC 6585 §5), code
 * {@code invalid_parameter}; then the connection closes, since the decoder gave up on it: after
 * the rest of the request, so that the client reads the answer rather than a reset.
 */
final class RequestHeadLimits implements Handler<HttpServerRequest> {

  /** A JWT, in the query or in a header: claims with a few dozen topic patterns. */
  static final int TOKEN_BYTES = 8 * 1024;
  /** Method, path, version, the other parameters (timeout, limit), and slack. */
  static final int OTHER_LINE_BYTES = 1024;
  /** Ordinary headers (Host, User-Agent, Cookie, Origin, Accept…): Vert.x's default limit. */
  static final int OTHER_HEADER_BYTES = 8 * 1024;
  private static final int ENCODED_SEPARATOR = 3;
  /** How long the rest of a refused request may take to arrive, and be dropped, before the connection closes. */
  static final long LINGER_MILLIS = 2_000;

  private final GatewayMetrics metrics;
  private final int maxLine;
  private final int maxHeaders;

  RequestHeadLimits(GatewayConfig config, GatewayMetrics metrics) {
    this.metrics = metrics;
    this.maxLine = maxInitialLineLength(config);
    this.maxHeaders = maxHeaderSize(config);
  }

  /** {@code topics=} and {@code cursor=} of the largest subscription, percent-encoded, plus a token. */
  static int maxInitialLineLength(GatewayConfig config) {
    long topics = config.maxTopicsPerSubscription();
    long topicsParam = topics * (Topics.MAX_LENGTH + ENCODED_SEPARATOR);
    // An entry's two colons grow by two bytes each, and a comma follows it.
    long cursorParam = topics * (Cursor.MAX_ENTRY_LENGTH + 2 * (ENCODED_SEPARATOR - 1) + ENCODED_SEPARATOR);
    return (int) Math.min(Integer.MAX_VALUE, topicsParam + cursorParam + TOKEN_BYTES + OTHER_LINE_BYTES);
  }

  /** A full cursor in {@code Last-Event-ID}, a bearer token, and the ordinary headers. */
  static int maxHeaderSize(GatewayConfig config) {
    long cursor = (long) config.maxTopicsPerSubscription() * (Cursor.MAX_ENTRY_LENGTH + 1);
    return (int) Math.min(Integer.MAX_VALUE, cursor + TOKEN_BYTES + OTHER_HEADER_BYTES);
  }

  int maxLine() {
    return maxLine;
  }

  int maxHeaders() {
    return maxHeaders;
  }

  /** The server's invalid request handler: a head the HTTP decoder could not take. */
  @Override
  public void handle(HttpServerRequest request) {
    RequestHeads.Failure failure = RequestHeads.failure(request);
    int status;
    String message;
    if (failure == RequestHeads.Failure.LINE_TOO_LONG) {
      status = 414;
      message = "the request line is longer than " + maxLine + " bytes";
    } else if (failure == RequestHeads.Failure.HEADERS_TOO_LARGE) {
      status = 431;
      message = "the request headers are larger than " + maxHeaders + " bytes";
    } else {
      status = 400;
      message = "malformed HTTP request";
    }
    GatewayException error = new GatewayException(ErrorCode.INVALID_PARAMETER, message);
    metrics.rejected(error.code());
    request.response().putHeader(HttpHeaders.CONNECTION, "close")
      .endHandler(v -> RawConnection.of(request.connection()).closeAfterAnswer(LINGER_MILLIS));
    HttpReplies.json(request.response(), status, new JsonObject().put("error", error.toJson()));
  }
}
