package io.pushgateway.loadtest.net;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one proxy saw at the TCP level: payload bytes each way (HTTP heads, WebSocket handshakes
 * and frames, pings, empty poll answers, all of it), the IP packets a phone's link would carry
 * for them ({@link TcpPackets}: segments with their headers, handshakes, closes and pure ACKs),
 * connections accepted and HTTP/1.x requests parsed in the client to server stream. The first
 * {@link #sampledConnections} connections also keep their packet timelines, for the radio model.
 * Written from the proxy's event loops, read by the driver: adders, no locks.
 */
public final class TrafficCounters {
  final LongAdder bytesUp = new LongAdder();
  final LongAdder bytesDown = new LongAdder();
  final LongAdder connections = new LongAdder();
  final LongAdder httpRequests = new LongAdder();
  final LongAdder upgrades = new LongAdder();
  final LongAdder packetsUp = new LongAdder();
  final LongAdder packetsDown = new LongAdder();
  final LongAdder ipBytesUp = new LongAdder();
  final LongAdder ipBytesDown = new LongAdder();
  private final int sampledConnections;
  private final AtomicInteger sampled = new AtomicInteger();
  private final List<PacketTimeline> timelines = new CopyOnWriteArrayList<>();

  /** @param sampledConnections connections whose packet timelines are kept (0: none) */
  public TrafficCounters(int sampledConnections) {
    this.sampledConnections = sampledConnections;
  }

  /** The packets of one new connection: counted here, and kept in a timeline if it is sampled. */
  TcpPackets newConnection() {
    PacketTimeline timeline = sampled.getAndIncrement() < sampledConnections ? new PacketTimeline() : null;
    if (timeline != null) {
      timelines.add(timeline);
    }
    return new TcpPackets((nanos, bytes, up, data) -> {
      (up ? packetsUp : packetsDown).increment();
      (up ? ipBytesUp : ipBytesDown).add(bytes);
      if (timeline != null) {
        timeline.add(nanos, bytes, up);
      }
    });
  }

  /** The timelines of the sampled connections, in the order they were opened. */
  public List<PacketTimeline> timelines() {
    return List.copyOf(timelines);
  }

  public Snapshot snapshot() {
    return new Snapshot(bytesUp.sum(), bytesDown.sum(), connections.sum(), httpRequests.sum(), upgrades.sum(),
      packetsUp.sum(), packetsDown.sum(), ipBytesUp.sum(), ipBytesDown.sum());
  }

  /**
   * Counter values at one instant; differences of two give a window's figures. {@code ipBytes*}
   * are whole IP packets: payload, headers, handshakes and pure ACKs.
   */
  public record Snapshot(long bytesUp, long bytesDown, long connections, long httpRequests, long upgrades,
                         long packetsUp, long packetsDown, long ipBytesUp, long ipBytesDown) {
    public static final Snapshot ZERO = new Snapshot(0, 0, 0, 0, 0, 0, 0, 0, 0);

    public Snapshot minus(Snapshot o) {
      return new Snapshot(bytesUp - o.bytesUp, bytesDown - o.bytesDown, connections - o.connections,
        httpRequests - o.httpRequests, upgrades - o.upgrades, packetsUp - o.packetsUp, packetsDown - o.packetsDown,
        ipBytesUp - o.ipBytesUp, ipBytesDown - o.ipBytesDown);
    }

    public Snapshot plus(Snapshot o) {
      return new Snapshot(bytesUp + o.bytesUp, bytesDown + o.bytesDown, connections + o.connections,
        httpRequests + o.httpRequests, upgrades + o.upgrades, packetsUp + o.packetsUp, packetsDown + o.packetsDown,
        ipBytesUp + o.ipBytesUp, ipBytesDown + o.ipBytesDown);
    }
  }
}
