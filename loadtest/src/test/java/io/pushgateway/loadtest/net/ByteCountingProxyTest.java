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
