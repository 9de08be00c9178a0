package io.pushgateway.gateway.core;

import io.vertx.core.json.JsonObject;

/** A request the gateway refuses, with the protocol's error code and a message for people. */
public final class GatewayException extends RuntimeException {

  private final ErrorCode code;

  public GatewayException(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  /** {@code {"code":…,"message":…}}, the body of an HTTP error and of a WebSocket error frame. */
  public JsonObject toJson() {
    return new JsonObject().put("code", code.code()).put("message", getMessage());
  }
}
