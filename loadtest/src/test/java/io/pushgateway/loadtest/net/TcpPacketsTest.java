package io.pushgateway.loadtest.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The packets a phone's link carries for a byte stream: segments, headers, handshakes and ACKs. */
class TcpPacketsTest {
  record Packet(long at, int bytes, boolean up, boolean data) {
  }

  final List<Packet> packets = new ArrayList<>();
  final TcpPackets tcp = new TcpPackets((at, bytes, up, data) -> packets.add(new Packet(at, bytes, up, data)));

  @Test
  void aConnectionOpensWithThreePacketsAndClosesWithThree() {
    tcp.opened(0);
    tcp.closed(1_000);
    assertThat(packets).extracting(Packet::bytes).containsExactly(60, 60, 52, 52, 52, 52);
    assertThat(packets).extracting(Packet::up).containsExactly(true, false, true, false, true, false);
  }

  @Test
  void aWriteIsCutIntoSegmentsOfTheMssEachWithItsHeaders() {
    tcp.data(0, 3000, false);
    List<Packet> data = packets.stream().filter(Packet::data).toList();
    assertThat(data).extracting(Packet::bytes).containsExactly(1448 + 52, 1448 + 52, 104 + 52);
    // the phone acknowledges every second full segment at once
    assertThat(packets.stream().filter(p -> !p.data() && p.up()).count()).isEqualTo(1);
  }

  @Test
  void aLoneSegmentIsAcknowledgedAfterTheDelayedAckTime() {
    tcp.data(0, 100, false);
    tcp.data(500_000_000L, 100, false);
    Packet ack = packets.get(1);
    assertThat(ack.data()).isFalse();
    assertThat(ack.up()).isTrue();
    assertThat(ack.at()).isEqualTo(TcpPackets.DELAYED_ACK_NANOS);
  }

  @Test
  void anAnswerWithinTheDelayCarriesTheAck() {
    tcp.data(0, 200, true); // a request
    tcp.data(10_000_000L, 300, false); // its answer, 10 ms later
    tcp.data(20_000_000L, 200, true); // the next request, 10 ms later
    assertThat(packets).allMatch(Packet::data);
    assertThat(packets).hasSize(3);
  }

  @Test
  void aClosePaysTheAckStillOwedFirst() {
    tcp.data(0, 100, false);
    tcp.closed(1_000_000L);
    assertThat(packets.get(1)).isEqualTo(new Packet(TcpPackets.DELAYED_ACK_NANOS, 52, true, false));
    assertThat(packets.subList(2, 5)).allMatch(p -> p.at() == TcpPackets.DELAYED_ACK_NANOS && p.bytes() == 52);
  }
}
