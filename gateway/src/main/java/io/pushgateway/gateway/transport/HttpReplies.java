package io.pushgateway.gateway.transport;

import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.metrics.GatewayMetrics;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** The gateway's JSON answers and error bodies, in one place for every endpoint. */
public final class HttpReplies {

  /** JSON is UTF-8 by definition and its media type has no charset parameter (RFC 8259 §11). */
  public static final String JSON = "application/json";

  private HttpReplies() {
  }

  public static void json(HttpServerResponse response, int status, Buffer body) {
    response.setStatusCode(status)
      .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
      .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
      .end(body);
  }

  public static void json(HttpServerResponse response, int status, JsonObject body) {
    json(response, status, body.toBuffer());
  }

  /** {@code {"error":{"code":…,"message":…}}} with the code's status, counted by code. */
  public static void error(HttpServerResponse response, GatewayException error, GatewayMetrics metrics) {
    metrics.rejected(error.code());
    if (response.headWritten() || response.ended()) {
      response.reset();
      return;
    }
    json(response, error.code().status(), new JsonObject().put("error", error.toJson()));
  }
}
