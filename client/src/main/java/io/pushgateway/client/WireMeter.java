package io.pushgateway.client;

/**
 * What this client put on the wire, headers, handshakes and frames included, as the gateway
 * counted it for the client's {@code meter} (see {@link PushClient.Builder#meter}).
 */
public final class WireMeter {

  /** Bytes from the client: request lines, headers, bodies, WebSocket frames. */
  public final long bytesUp;
  /** Bytes to the client: status lines, headers, bodies, chunk framing, WebSocket frames. */
  public final long bytesDown;
  /** Requests that named the meter, WebSocket handshakes included. */
  public final long requests;
  /** Requests and streams being served now. */
  public final int open;

  WireMeter(long bytesUp, long bytesDown, long requests, int open) {
    this.bytesUp = bytesUp;
    this.bytesDown = bytesDown;
    this.requests = requests;
    this.open = open;
  }

  @Override
  public String toString() {
    return "up " + bytesUp + " B, down " + bytesDown + " B, requests " + requests + ", open " + open;
  }
}
