package io.pushgateway.loadtest.target;

import java.util.Locale;

/** The servers the load test can drive: the gateway, and peers measured on the same workload. */
public enum Peer {
  GATEWAY("gateway"),
  /** Nchan, the nginx pub/sub module: WebSocket, EventSource, long poll and interval poll from one channel. */
  NCHAN("nchan"),
  /** Socket.IO 4 in Node: WebSocket and HTTP long-polling (Engine.IO), no SSE and no short polling. */
  SOCKETIO("socketio");

  private final String wireName;

  Peer(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  /** Whether this server has {@code transport} (Socket.IO has no SSE and no short polling). */
  public boolean serves(io.pushgateway.loadtest.client.Transport transport) {
    return this != SOCKETIO || transport == io.pushgateway.loadtest.client.Transport.WS
      || transport == io.pushgateway.loadtest.client.Transport.LONG;
  }

  public static Peer of(String name) {
    for (Peer p : values()) {
      if (p.wireName.equals(name.trim().toLowerCase(Locale.ROOT))) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown peer '" + name + "', expected gateway, nchan, socketio or all");
  }
}
