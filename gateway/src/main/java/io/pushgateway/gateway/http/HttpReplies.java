package io.pushgateway.gateway.http;

import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.metrics.GatewayMetrics;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/** The gateway's JSON answers and error bodies, in one place for every endpoint. */
public final class HttpReplies {

  private static final Logger LOG = System.getLogger(HttpReplies.class.getName());

  /** JSON is UTF-8 by definition and its media type has no charset parameter (RFC 8259 §11). */
  public static final String JSON = "application/json";

  private HttpReplies() {
  }

  public static void json(HttpServerResponse response, int status, Buffer body) {
    if (status != 200) {
      // 200 is every response's status until set; setting it looks the status up again (profiled)
      response.setStatusCode(status);
    }
    response.putHeader(HttpHeaders.CONTENT_TYPE, JSON)
      .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
      .end(body);
  }

  public static void json(HttpServerResponse response, int status, JsonObject body) {
    json(response, status, body.toBuffer());
  }

  /**
   * {@code {"error":{"code":…,"message":…}}} with the code's status and, for a refusal worth
   * retrying soon, its {@code Retry-After}; counted by code.
   */
  public static void error(HttpServerResponse response, GatewayException error, GatewayMetrics metrics) {
    metrics.rejected(error.code());
    if (response.headWritten() || response.ended()) {
      response.reset();
      return;
    }
    if (error.code().retryAfterSeconds() > 0) {
      response.putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(error.code().retryAfterSeconds()));
    }
    json(response, error.code().status(), errorBody(error));
  }

  /**
   * A failed request's answer: a {@link GatewayException} travels with its own code (the event
   * log's "unavailable" is one, {@code overloaded}); anything else is a bug, logged here once with
   * its stack and the request, and answered {@code 500 internal_error}.
   */
  public static void failure(HttpServerRequest request, Throwable failure, GatewayMetrics metrics) {
    // The path, never the query: a browser's ?token= must not end up in the log.
    error(request.response(), known(failure, request.method() + " " + request.path()), metrics);
  }

  /**
   * {@code failure} as the client is told of it: itself when it is a {@link GatewayException},
   * else {@code internal_error}, once its stack is logged with what was being served.
   */
  public static GatewayException known(Throwable failure, String serving) {
    if (failure instanceof GatewayException known) {
      return known;
    }
    LOG.log(Level.ERROR, "unexpected failure serving " + serving, failure);
    return new GatewayException(ErrorCode.INTERNAL_ERROR, "internal error");
  }

  /** {@code {"error":{"code":…,"message":…}}}. */
  public static Buffer errorBody(GatewayException error) {
    return new JsonObject().put("error", error.toJson()).toBuffer();
  }
}
