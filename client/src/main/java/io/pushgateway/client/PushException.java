package io.pushgateway.client;

/** A refusal of the gateway ({@link #code()} is the protocol's error code), or a failed request. */
public final class PushException extends RuntimeException {

  private final String code;
  private final int status;

  PushException(String code, String message, int status) {
    super(message);
    this.code = code;
    this.status = status;
  }

  /** The protocol's error code ({@code forbidden}, {@code rate_limited}, …), or null. */
  public String code() {
    return code;
  }

  /** The HTTP status, or 0 (a WebSocket frame, a network failure). */
  public int status() {
    return status;
  }
}
