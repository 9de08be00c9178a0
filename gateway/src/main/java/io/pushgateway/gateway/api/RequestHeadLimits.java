package io.pushgateway.gateway.api;

import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.metrics.GatewayMetrics;
import io.pushgateway.gateway.http.HttpReplies;
import io.pushgateway.gateway.http.RequestHeadSizes;
import io.pushgateway.gateway.transport.netty.RawConnection;
import io.pushgateway.gateway.wire.RequestHeads;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * The server's answer to a head its decoder refused: over the limits of {@link RequestHeadSizes}
 * (414 for the line, 431 for the headers: RFC 9110 §15.5.15, RFC 6585 §5), against the framing
 * rules of {@link io.pushgateway.gateway.wire.FramingRules} (400, or 505 for another HTTP version),
 * or malformed (400). Answered in the protocol's error format, code {@code invalid_parameter}, not
 * with Vert.x's empty body; then the connection closes, since the decoder gave up on it: after the
 * rest of the request, so that the client reads the answer rather than a reset.
 */
final class RequestHeadLimits implements Handler<HttpServerRequest> {

  private final GatewayMetrics metrics;
  private final int maxLine;
  private final int maxHeaders;

  RequestHeadLimits(GatewayConfig config, GatewayMetrics metrics) {
    this.metrics = metrics;
    this.maxLine = RequestHeadSizes.maxLine(config);
    this.maxHeaders = RequestHeadSizes.maxHeaders(config);
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
    } else if (failure == RequestHeads.Failure.VERSION_NOT_SUPPORTED) {
      status = 505;
      message = RequestHeads.reason(request);
    } else if (failure == RequestHeads.Failure.AMBIGUOUS_FRAMING) {
      status = 400;
      message = "malformed HTTP request: " + RequestHeads.reason(request);
    } else {
      status = 400;
      message = "malformed HTTP request";
    }
    GatewayException error = new GatewayException(ErrorCode.INVALID_PARAMETER, message);
    metrics.rejected(error.code());
    request.response().putHeader(HttpHeaders.CONNECTION, "close")
      .endHandler(v -> RawConnection.of(request.connection()).closeAfterAnswer());
    HttpReplies.json(request.response(), status, new JsonObject().put("error", error.toJson()));
  }
}
