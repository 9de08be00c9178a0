package io.pushgateway.gateway.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.Eventually;
import io.pushgateway.gateway.testing.TestGateway;
import io.pushgateway.gateway.testing.WsClient;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The request-head, body and idle clocks over raw TCP, as a slowloris attacker would use them: silent
 * and trickling connections are closed and give their {@code maxConnections} slots back, while a
 * long poll that waits its full time, an SSE stream and a WebSocket are never cut.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionTimeoutsTest {

  private static final String SLOW_HEAD = "GET /health HTTP/1.1\r\nHost: gateway\r\nX-Slow: "
    + "a".repeat(200) + "\r\n\r\n";

  private TestGateway gateway;
  private NetClient net;
  private final List<Long> timers = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    timers.forEach(gateway.vertx::cancelTimer);
    gateway.close();
  }

  @Test
  void slowlorisConnectionsAreClosedAndTheirSlotsFreed() throws Exception {
    start(new JsonObject().put("maxConnections", 10).put("requestHeadTimeoutSeconds", 2));
    int attackers = 30;
    AtomicInteger closed = new AtomicInteger();
    for (int i = 0; i < attackers; i++) {
      NetSocket socket = connect();
      socket.closeHandler(v -> closed.incrementAndGet());
      trickle(socket, SLOW_HEAD, 1000);
    }
    // Every slot is taken: another client is turned away while the attackers hold them.
    assertThat(gateway.get("/health").status()).isEqualTo(503);
    // Bytes keep coming (one a second, never idle), yet no head completes: all are closed, the
    // admitted ones by the head clock, those over the limit by the guard's grace period.
    Eventually.check(gateway.vertx, () -> assertThat(closed.get()).isEqualTo(attackers));
    Eventually.check(gateway.vertx, () -> assertThat(gateway.get("/health").status()).isEqualTo(200));
  }

  @Test
  void aKeptAliveConnectionTricklingItsNextHeadIsClosed() throws Exception {
    start(new JsonObject().put("requestHeadTimeoutSeconds", 1));
    NetSocket socket = connect();
    Reader reader = new Reader(socket);
    socket.write("GET /health HTTP/1.1\r\nHost: gateway\r\n\r\n");
    Eventually.check(gateway.vertx, () -> assertThat(reader.text()).contains("\"UP\""));
    // A served request does not buy time for the next head: its clock starts with its first byte.
    trickle(socket, SLOW_HEAD, 300);
    Eventually.check(gateway.vertx, () -> assertThat(reader.closed).isTrue());
  }

  @Test
  void theMetricsPortHasTheSameHeadClock() throws Exception {
    int metricsPort;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
      metricsPort = free.getLocalPort();
    }
    start(new JsonObject().put("requestHeadTimeoutSeconds", 1).put("metricsPort", metricsPort));
    NetSocket socket = net.connect(metricsPort, "127.0.0.1").await(10, TimeUnit.SECONDS);
    Reader reader = new Reader(socket);
    trickle(socket, SLOW_HEAD.replace("/health", "/metrics"), 300);
    Eventually.check(gateway.vertx, () -> assertThat(reader.closed).isTrue());
    assertThat(reader.text()).isEmpty();
  }

  @Test
  void aTrickledPublishBodyIsCutAndNothingIsStored() throws Exception {
    start(new JsonObject().put("requestBodyTimeoutSeconds", 1));
    NetSocket socket = connect();
    Reader reader = new Reader(socket);
    String body = "\"" + "a".repeat(2000) + "\"";
    // The head at once, then the body a byte every 200 ms: 2.4 s of credit at 500 B/s would need
    // 1,200 bytes; this sends 5 a second, never idle.
    socket.write("POST /api/topics/slowbody/events HTTP/1.1\r\nHost: gateway\r\n"
      + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n");
    trickle(socket, body, 200);
    Eventually.check(gateway.vertx, () -> assertThat(reader.closed).isTrue());
    assertThat(reader.text()).as("closed without an answer").isEmpty();
    assertThat(gateway.get("/api/topics/slowbody").status()).as("nothing stored").isEqualTo(404);
  }

  @Test
  void aBodyThatPausesWithinItsTimeIsServed() throws Exception {
    start(new JsonObject().put("requestBodyTimeoutSeconds", 5));
    NetSocket socket = connect();
    Reader reader = new Reader(socket);
    String body = "{\"part\":\"" + "b".repeat(100) + "\"}";
    socket.write("POST /api/topics/pausedbody/events HTTP/1.1\r\nHost: gateway\r\n"
      + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n"
      + body.substring(0, 50));
    // The rest after one read has ended with the body incomplete: the body clock is running.
    timers.add(gateway.vertx.setTimer(300, id -> socket.write(body.substring(50))));
    Eventually.check(gateway.vertx, () -> assertThat(reader.text()).startsWith("HTTP/1.1 201"));
    assertThat(reader.closed).isFalse();
  }

  @Test
  void aSilentKeptAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
    start(shortIdle());
    NetSocket socket = connect();
    Reader reader = new Reader(socket);
    long start = System.nanoTime();
    socket.write("GET /health HTTP/1.1\r\nHost: gateway\r\n\r\n");
    Eventually.check(gateway.vertx, () -> assertThat(reader.text()).contains("\"UP\""));
    Eventually.check(gateway.vertx, () -> assertThat(reader.closed).isTrue());
    // Not the head clock (1 s): nothing was sent after the answer, so only the idle one ran.
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(2_900);
  }

  @Test
  void aLongPollWaitingItsFullTimeIsNotCutAndTheConnectionStaysUsable() throws Exception {
    start(shortIdle());
    gateway.publish("lp", new JsonObject().put("n", 1));
    String cursor = gateway.get("/poll?topics=lp&cursor=lp:0").json().getString("cursor");
    NetSocket socket = connect();
    Reader reader = new Reader(socket);
    // Waits 2 s of the 3 s idle timeout without a byte either way, then answers empty.
    socket.write("GET /poll/long?topics=lp&timeout=2&cursor=" + cursor + " HTTP/1.1\r\nHost: gateway\r\n\r\n");
    Eventually.check(gateway.vertx, () -> assertThat(reader.text()).contains("\"cursor\""));
    assertThat(reader.text()).startsWith("HTTP/1.1 200").contains("\"events\":[]");
    socket.write("GET /health HTTP/1.1\r\nHost: gateway\r\n\r\n");
    Eventually.check(gateway.vertx, () -> assertThat(reader.text()).contains("\"UP\""));
    assertThat(reader.closed).isFalse();
  }

  @Test
  void anSseStreamOutlivesTheIdleTimeoutOnItsKeepAlives() throws Exception {
    start(shortIdle());
    NetSocket socket = connect();
    Reader reader = new Reader(socket);
    socket.write("GET /sse?topics=sse HTTP/1.1\r\nHost: gateway\r\nAccept: text/event-stream\r\n\r\n");
    // Five keep-alives, one a second: longer than the 3 s idle timeout, with nothing read.
    Eventually.check(gateway.vertx, () -> assertThat(keepAlives(reader.text())).isGreaterThanOrEqualTo(5));
    gateway.publish("sse", new JsonObject().put("after", "idle"));
    Eventually.check(gateway.vertx, () -> assertThat(reader.text()).contains("{\"after\":\"idle\"}"));
    assertThat(reader.closed).isFalse();
  }

  @Test
  void aWebSocketIsLeftToItsPings() throws Exception {
    // Pings every 10 s: the socket is silent far longer than the 3 s idle timeout.
    start(shortIdle().put("pingIntervalSeconds", 10));
    WsClient ws = new WsClient(gateway.vertx, gateway.port()).open("ws");
    try {
      gateway.vertx.timer(4_500).await(10, TimeUnit.SECONDS);
      gateway.publish("ws", new JsonObject().put("after", "idle"));
      Eventually.check(gateway.vertx, () -> assertThat(ws.events()).hasSize(1));
      assertThat(ws.closeCode()).isNull();
    } finally {
      ws.close();
    }
  }

  /** An idle timeout of 3 s, just above the longest long poll; keep-alives every second. */
  private static JsonObject shortIdle() {
    return new JsonObject().put("requestHeadTimeoutSeconds", 1).put("idleTimeoutSeconds", 3)
      .put("longPollTimeoutSeconds", 2).put("maxLongPollTimeoutSeconds", 2).put("sseKeepAliveSeconds", 1);
  }

  private void start(JsonObject config) throws Exception {
    gateway = TestGateway.start(config);
    net = gateway.vertx.createNetClient();
  }

  private NetSocket connect() throws Exception {
    return net.connect(gateway.port(), "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  /** Writes {@code text} one byte per {@code intervalMillis}, first byte at once. */
  private void trickle(NetSocket socket, String text, long intervalMillis) {
    AtomicInteger next = new AtomicInteger();
    socket.write(text.substring(0, 1));
    next.set(1);
    timers.add(gateway.vertx.setPeriodic(intervalMillis, id -> {
      int i = next.getAndIncrement();
      if (i < text.length()) {
        socket.write(text.substring(i, i + 1)).recover(e -> Future.succeededFuture());
      }
    }));
  }

  private static int keepAlives(String text) {
    return text.split("\n:\n", -1).length - 1;
  }

  /** Collects what a raw socket receives and whether it was closed. */
  private static final class Reader {
    private final StringBuffer received = new StringBuffer();
    private volatile boolean closed;

    Reader(NetSocket socket) {
      socket.handler(b -> received.append(b.toString(StandardCharsets.UTF_8)));
      socket.closeHandler(v -> closed = true);
    }

    String text() {
      return received.toString();
    }
  }
}
