package io.pushgateway.gateway.core;

/**
 * The error codes of the wire protocol, with the HTTP status each one travels with and, for a
 * refusal worth retrying soon, the {@code Retry-After} seconds its HTTP answers carry.
 */
public enum ErrorCode {
  INVALID_TOPIC("invalid_topic", 400),
  INVALID_CURSOR("invalid_cursor", 400),
  INVALID_JSON("invalid_json", 400),
  INVALID_PARAMETER("invalid_parameter", 400),
  PAYLOAD_TOO_LARGE("payload_too_large", 413),
  UNAUTHORIZED("unauthorized", 401),
  FORBIDDEN("forbidden", 403),
  /** Publish rates are per second: a token is back within one. */
  RATE_LIMITED("rate_limited", 429, 1),
  NOT_FOUND("not_found", 404),
  /** A publish whose idempotency key the topic keeps for an event of other data. */
  KEY_CONFLICT("key_conflict", 422),
  TOO_MANY_TOPICS("too_many_topics", 503),
  OVERLOADED("overloaded", 503, 1),
  /** A bug, not the client's doing: logged with its stack where it happened. */
  INTERNAL_ERROR("internal_error", 500);

  private final String code;
  private final int status;
  private final int retryAfterSeconds;

  ErrorCode(String code, int status) {
    this(code, status, 0);
  }

  ErrorCode(String code, int status, int retryAfterSeconds) {
    this.code = code;
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public String code() {
    return code;
  }

  public int status() {
    return status;
  }

  /** Seconds an HTTP client is told to wait before retrying ({@code Retry-After}); 0: no header. */
  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
