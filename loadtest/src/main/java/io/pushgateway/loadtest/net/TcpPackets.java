package io.pushgateway.loadtest.net;

/**
 * The IP packets behind one connection's byte stream on a phone's link. A socket only shows the
 * bytes an application wrote; the radio carries segments of at most {@link #MSS} bytes, each with
 * {@link #HEADER_BYTES} of IPv4 and TCP headers, plus the connection's handshake, its close and
 * the receiver's pure ACKs. ACKs follow Linux's delayed-ACK rule: at once for every second full
 * segment, otherwise after {@link #DELAYED_ACK_NANOS}, and not at all when data goes the other
 * way before then (the ACK rides on it). Each written chunk is taken as one burst of segments.
 * Called on the connection's event loop only.
 */
final class TcpPackets {
  /** IPv4 (20) + TCP (20) + the timestamp option phones and servers put on every segment (12). */
  static final int HEADER_BYTES = 52;
  /** Payload per segment on a 1500-byte MTU path with timestamps. */
  static final int MSS = 1500 - HEADER_BYTES;
  /** SYN and SYN-ACK carry MSS, SACK, timestamp and window-scale options: 60 bytes each. */
  static final int SYN_BYTES = 60;
  /** Linux's minimum delayed-ACK time (TCP_DELACK_MIN). */
  static final long DELAYED_ACK_NANOS = 40_000_000L;

  /** Where the packets go: the proxy's counters and, for sampled connections, a timeline. */
  interface Sink {
    void packet(long nanos, int bytes, boolean up, boolean data);
  }

  private final Sink sink;
  /** Segments received and not yet acknowledged, and when their delayed ACK is due, per direction of the data. */
  private int unackedUp;
  private int unackedDown;
  private long upAckDue;
  private long downAckDue;

  TcpPackets(Sink sink) {
    this.sink = sink;
  }

  /** SYN from the phone, SYN-ACK back, ACK. */
  void opened(long nanos) {
    sink.packet(nanos, SYN_BYTES, true, false);
    sink.packet(nanos, SYN_BYTES, false, false);
    sink.packet(nanos, HEADER_BYTES, true, false);
  }

  /** {@code bytes} of payload written one way at {@code nanos}. */
  void data(long nanos, int bytes, boolean up) {
    flushDelayedAcks(nanos);
    // the sender's segments acknowledge whatever it had received
    if (up) {
      unackedDown = 0;
    } else {
      unackedUp = 0;
    }
    int segments = (bytes + MSS - 1) / MSS;
    for (int i = 0; i < segments; i++) {
      int payload = i < segments - 1 ? MSS : bytes - MSS * (segments - 1);
      sink.packet(nanos, payload + HEADER_BYTES, up, true);
    }
    int unacked = (up ? unackedUp : unackedDown) + segments;
    for (int i = 0; i < unacked / 2; i++) {
      sink.packet(nanos, HEADER_BYTES, !up, false);
    }
    if (up) {
      unackedUp = unacked % 2;
      upAckDue = nanos + DELAYED_ACK_NANOS;
    } else {
      unackedDown = unacked % 2;
      downAckDue = nanos + DELAYED_ACK_NANOS;
    }
  }

  /** FIN, FIN-ACK, ACK, after any ACK still owed. */
  void closed(long nanos) {
    long at = Math.max(nanos, Math.max(unackedUp > 0 ? upAckDue : 0, unackedDown > 0 ? downAckDue : 0));
    flushDelayedAcks(Long.MAX_VALUE);
    sink.packet(at, HEADER_BYTES, false, false);
    sink.packet(at, HEADER_BYTES, true, false);
    sink.packet(at, HEADER_BYTES, false, false);
  }

  /** Sends the delayed ACKs due by {@code nanos}, the earlier first. */
  private void flushDelayedAcks(long nanos) {
    boolean up = unackedUp > 0 && upAckDue <= nanos;
    boolean down = unackedDown > 0 && downAckDue <= nanos;
    if (up && down && downAckDue < upAckDue) {
      ackDown();
      ackUp();
    } else {
      if (up) {
        ackUp();
      }
      if (down) {
        ackDown();
      }
    }
  }

  /** The server's ACK of the phone's data. */
  private void ackUp() {
    sink.packet(upAckDue, HEADER_BYTES, false, false);
    unackedUp = 0;
  }

  /** The phone's ACK of the server's data. */
  private void ackDown() {
    sink.packet(downAckDue, HEADER_BYTES, true, false);
    unackedDown = 0;
  }
}
