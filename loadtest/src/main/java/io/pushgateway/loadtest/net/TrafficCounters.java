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
 * {@link #sampledConnections} connections ({@link Sampling}) also keep their packet timelines, for
 * the radio model. Written from the proxy's event loops, read by the driver: adders, no locks.
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
  private final Sampling sampling;
  private final AtomicInteger sampled = new AtomicInteger();
  private final List<PacketTimeline> timelines = new CopyOnWriteArrayList<>();

  /** Which connections keep their packet timelines: each stands for one phone. */
  public enum Sampling {
    /** The first connections opened, from their handshake on: a subscriber that holds one connection. */
    OPENED,
    /**
     * The first connections upgraded to WebSocket, from the upgrade request on: a subscriber whose
     * client opened other connections first (Socket.IO's polling links, idle once it upgrades).
     */
    UPGRADED
  }

  /** @param sampledConnections connections whose packet timelines are kept (0: none) */
  public TrafficCounters(int sampledConnections, Sampling sampling) {
    this.sampledConnections = sampledConnections;
    this.sampling = sampling;
  }

  /** A new connection, counted here. */
  Connection newConnection() {
    connections.increment();
    return new Connection();
  }

  /** One connection's packets, counted, and kept in a timeline once the connection is sampled. */
  final class Connection implements TcpPackets.Sink {
    final TcpPackets packets = new TcpPackets(this);
    /** Set and written on the connection's event loop. */
    private PacketTimeline timeline;

    private Connection() {
      if (sampling == Sampling.OPENED) {
        sample();
      }
    }

    @Override
    public void packet(long nanos, int bytes, boolean up, boolean data) {
      (up ? packetsUp : packetsDown).increment();
      (up ? ipBytesUp : ipBytesDown).add(bytes);
      if (timeline != null) {
        timeline.add(nanos, bytes, up);
      }
    }

    /** The client asked to upgrade the connection (to WebSocket). */
    void upgraded() {
      upgrades.increment();
      if (sampling == Sampling.UPGRADED) {
        sample();
      }
    }

    private void sample() {
      if (sampled.getAndIncrement() < sampledConnections) {
        timeline = new PacketTimeline();
        timelines.add(timeline);
      }
    }
  }

  /** The timelines of the sampled connections, in the order they were sampled. */
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
