package io.pushgateway.loadtest.net;

import java.util.concurrent.atomic.LongAdder;

/**
 * What one proxy saw at the TCP level: payload bytes each way (HTTP heads, WebSocket handshakes
 * and frames, pings, empty poll answers, all of it; TCP/IP headers are not visible to a socket),
 * connections accepted and HTTP/1.x requests parsed in the client to server stream.
 * Written from the proxy's event loops, read by the driver: adders, no locks.
 */
public final class TrafficCounters {
  final LongAdder bytesUp = new LongAdder();
  final LongAdder bytesDown = new LongAdder();
  final LongAdder connections = new LongAdder();
  final LongAdder httpRequests = new LongAdder();
  final LongAdder upgrades = new LongAdder();

  public Snapshot snapshot() {
    return new Snapshot(bytesUp.sum(), bytesDown.sum(), connections.sum(), httpRequests.sum(), upgrades.sum());
  }

  /** Counter values at one instant; differences of two give a window's figures. */
  public record Snapshot(long bytesUp, long bytesDown, long connections, long httpRequests, long upgrades) {
    public static final Snapshot ZERO = new Snapshot(0, 0, 0, 0, 0);

    public Snapshot minus(Snapshot o) {
      return new Snapshot(bytesUp - o.bytesUp, bytesDown - o.bytesDown, connections - o.connections,
        httpRequests - o.httpRequests, upgrades - o.upgrades);
    }

    public Snapshot plus(Snapshot o) {
      return new Snapshot(bytesUp + o.bytesUp, bytesDown + o.bytesDown, connections + o.connections,
        httpRequests + o.httpRequests, upgrades + o.upgrades);
    }
  }
}
