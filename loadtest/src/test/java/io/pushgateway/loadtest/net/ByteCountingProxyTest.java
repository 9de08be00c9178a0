package io.pushgateway.loadtest.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.loadtest.Await;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The proxy relays bytes unchanged, counts them each way, and delays and throttles as a link would. */
@Timeout(30)
class ByteCountingProxyTest {
  Vertx vertx;
  NetServer echo;
  /**
   * The test's client, held for the whole test: Vert.x closes the connections of a client nobody
   * references once the garbage collector finds it, which cut a round trip mid-way.
   */
  NetClient client;

  @BeforeEach
  void startEcho() {
    vertx = Vertx.vertx();
    echo = Await.result(vertx.createNetServer().connectHandler(s -> s.handler(s::write)).listen(0, "127.0.0.1"),
      Duration.ofSeconds(5), "echo server");
    client = vertx.createNetClient();
  }

  @AfterEach
  void stop() {
    Await.result(vertx.close(), Duration.ofSeconds(10), "closing");
  }

  /** Sends {@code bytes} through the proxy and returns ms until all came back. */
  private long roundTrip(ByteCountingProxy proxy, int bytes) {
    Promise<Long> done = Promise.promise();
    long start = System.nanoTime();
    Future<NetSocket> conn = client.connect(proxy.port(), "127.0.0.1");
    conn.onSuccess(s -> {
      int[] got = {0};
      s.handler(b -> {
        got[0] += b.length();
        if (got[0] >= bytes) {
          done.tryComplete((System.nanoTime() - start) / 1_000_000);
        }
      });
      s.write(Buffer.buffer(new byte[bytes]));
    }).onFailure(done::tryFail);
    return Await.result(done.future(), Duration.ofSeconds(20), "round trip");
  }

  @Test
  void countsEveryByteBothWays() {
    ByteCountingProxy proxy = Await.result(ByteCountingProxy.start(vertx, "127.0.0.1", echo.actualPort(),
      NetworkProfile.NONE, 2), Duration.ofSeconds(5), "proxy");
    roundTrip(proxy, 10_000);
    TrafficCounters.Snapshot s = proxy.counters().snapshot();
    assertThat(s.bytesUp()).isEqualTo(10_000);
    assertThat(s.bytesDown()).isEqualTo(10_000);
    assertThat(s.connections()).isEqualTo(1);
  }

  /** Sends {@code text} through the proxy on a connection of its own and waits until all of it came back. */
  private void exchange(ByteCountingProxy proxy, String text) {
    Promise<Void> done = Promise.promise();
    Buffer sent = Buffer.buffer(text);
    client.connect(proxy.port(), "127.0.0.1").onSuccess(s -> {
      int[] got = {0};
      s.handler(b -> {
        got[0] += b.length();
        if (got[0] >= sent.length()) {
          done.tryComplete();
        }
      });
      s.write(sent);
    }).onFailure(done::tryFail);
    Await.result(done.future(), Duration.ofSeconds(20), "exchange");
  }

  @Test
  void samplesTheFirstConnectionsOrTheFirstUpgradedOnes() {
    String poll = "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n";
    String upgrade = "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
      + "Connection: Upgrade\r\n\r\n";
    ByteCountingProxy opened = Await.result(ByteCountingProxy.start(vertx, "127.0.0.1", echo.actualPort(),
      NetworkProfile.NONE, 1, 1, TrafficCounters.Sampling.OPENED), Duration.ofSeconds(5), "proxy");
    exchange(opened, poll);
    exchange(opened, upgrade);
    assertThat(opened.counters().timelines()).hasSize(1);
    assertThat(opened.counters().timelines().get(0).snapshot().count()).isGreaterThanOrEqualTo(5); // SYN…, request, echo

    // a client that polled before it upgraded (socket.io-client): its phone is the socket
    ByteCountingProxy upgraded = Await.result(ByteCountingProxy.start(vertx, "127.0.0.1", echo.actualPort(),
      NetworkProfile.NONE, 1, 1, TrafficCounters.Sampling.UPGRADED), Duration.ofSeconds(5), "proxy");
    exchange(upgraded, poll);
    assertThat(upgraded.counters().timelines()).isEmpty();
    exchange(upgraded, upgrade);
    exchange(upgraded, upgrade);
    assertThat(upgraded.counters().snapshot().upgrades()).isEqualTo(2);
    assertThat(upgraded.counters().timelines()).hasSize(1);
    PacketTimeline.Snapshot socket = upgraded.counters().timelines().get(0).snapshot();
    assertThat(socket.count()).isPositive();
    assertThat(socket.up(0)).isFalse(); // from the upgrade on: its first packet is the answer
    assertThat(socket.bytes(0)).isEqualTo(upgrade.length() + TcpPackets.HEADER_BYTES);
  }

  @Test
  void addsTheRoundTripTimeAndOneForTheConnect() {
    NetworkProfile p = new NetworkProfile("test", 150, 0, 0);
    ByteCountingProxy proxy = Await.result(ByteCountingProxy.start(vertx, "127.0.0.1", echo.actualPort(), p, 1),
      Duration.ofSeconds(5), "proxy");
    assertThat(roundTrip(proxy, 100)).isBetween(300L, 5000L);
  }

  @Test
  void throttlesToTheBandwidth() {
    // 40 kB each way at 400 kbit/s: 0.8 s up, then 0.8 s down
    NetworkProfile p = new NetworkProfile("test", 0, 400_000, 400_000);
    ByteCountingProxy proxy = Await.result(ByteCountingProxy.start(vertx, "127.0.0.1", echo.actualPort(), p, 1),
      Duration.ofSeconds(5), "proxy");
    assertThat(roundTrip(proxy, 40_000)).isBetween(800L, 10_000L);
  }
}
