package io.pushgateway.loadtest.target;

import java.util.Locale;

/** The servers the load test can drive: the gateway, and peers measured on the same workload. */
public enum Peer {
  GATEWAY("gateway"),
  /** Nchan, the nginx pub/sub module: WebSocket, EventSource, long poll and interval poll from one channel. */
  NCHAN("nchan");

  private final String wireName;

  Peer(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  public static Peer of(String name) {
    for (Peer p : values()) {
      if (p.wireName.equals(name.trim().toLowerCase(Locale.ROOT))) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown peer '" + name + "', expected gateway, nchan or all");
  }
}
