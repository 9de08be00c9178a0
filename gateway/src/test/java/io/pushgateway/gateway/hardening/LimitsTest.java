package io.pushgateway.gateway.hardening;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pushgateway.gateway.testing.Eventually;
import io.pushgateway.gateway.testing.SseClient;
import io.pushgateway.gateway.testing.StreamClient;
import io.pushgateway.gateway.testing.TestGateway;
import io.pushgateway.gateway.testing.WsClient;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Publish rate limits and connection limits over the real wire: each produces its documented
 * code (WebSocket error frame {@code rate_limited} then close 1008, HTTP 429 {@code rate_limited},
 * 503 {@code overloaded}) while a bystander subscriber keeps receiving. Other client addresses
 * come from 127.0.0.x source addresses on loopback.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LimitsTest {

  private TestGateway gateway;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void aWebSocketPublishingTooFastGetsRateLimitedThenClosedWith1008() throws Exception {
    gateway = TestGateway.start(new JsonObject().put("publishRatePerConnection", 5).put("rateLimitStrikes", 5));
    WsClient bystander = track(new WsClient(gateway.vertx, gateway.port()).open("lim"));
    WsClient publisher = track(new WsClient(gateway.vertx, gateway.port()).open("other"));
    for (int i = 0; i < 40 && publisher.closeCode() == null; i++) {
      publisher.socket().writeTextMessage(new JsonObject().put("op", "publish").put("topic", "lim")
        .put("data", i).put("ref", "r" + i).encode());
    }
    Eventually.check(gateway.vertx, () -> assertThat(publisher.closeCode()).isEqualTo((short) 1008));
    long limited = publisher.controls().stream()
      .filter(c -> "error".equals(c.getString("op")) && "rate_limited".equals(c.getString("code"))).count();
    assertThat(limited).isEqualTo(5);
    // The accepted ones (a burst of one second's worth) are stored, and each was acknowledged
    // before the close went out.
    long acked = gateway.get("/api/topics/lim").json().getLong("lastId");
    assertThat(acked).isBetween(1L, 10L);
    assertThat(publisher.controls().stream().filter(c -> "ack".equals(c.getString("op"))).count()).isEqualTo(acked);

    // The bystander got exactly the accepted events and still gets new ones.
    gateway.publish("lim", "after");
    List<JsonObject> events = bystander.awaitEvents((int) acked + 1);
    assertThat(events).hasSize((int) acked + 1);
    assertThat(events.get((int) acked).getString("data")).isEqualTo("after");
  }

  /**
   * Commands besides publishes count against `commandRatePerConnection`: a client asking in a loop
   * gets its burst answered, then `rate_limited` errors, and is closed with 1008 after
   * `rateLimitStrikes` of them, while its publishes and a bystander are served as before.
   */
  @Test
  void aWebSocketSendingCommandsInALoopGetsRateLimitedThenClosedWith1008() throws Exception {
    gateway = TestGateway.start(new JsonObject().put("commandRatePerConnection", 10).put("rateLimitStrikes", 5));
    WsClient bystander = track(new WsClient(gateway.vertx, gateway.port()).open("lim"));
    WsClient asker = track(new WsClient(gateway.vertx, gateway.port()).open("other"));
    asker.socket().writeTextMessage(new JsonObject().put("op", "publish").put("topic", "lim").put("data", "first")
      .put("ref", "pub").encode());
    for (int i = 0; i < 200 && asker.closeCode() == null; i++) {
      JsonObject command = i % 2 == 0 ? new JsonObject().put("op", "ping") : new JsonObject().put("op", "presence").put("topic", "lim");
      asker.socket().writeTextMessage(command.put("ref", "c" + i).encode());
    }
    Eventually.check(gateway.vertx, () -> assertThat(asker.closeCode()).isEqualTo((short) 1008));
    List<JsonObject> controls = asker.controls();
    long answered = controls.stream().filter(c -> c.getString("ref", "").startsWith("c")
      && !"error".equals(c.getString("op"))).count();
    long limited = controls.stream()
      .filter(c -> "error".equals(c.getString("op")) && "rate_limited".equals(c.getString("code"))).count();
    assertThat(answered).as("a burst of one second's worth, perhaps a few refilled").isBetween(10L, 15L);
    assertThat(limited).isEqualTo(5);
    assertThat(controls).anyMatch(c -> "ack".equals(c.getString("op")) && "pub".equals(c.getString("ref")));

    gateway.publish("lim", "after");
    assertThat(bystander.awaitEvents(2)).extracting(e -> e.getString("data")).containsExactly("first", "after");
  }

  @Test
  void httpPublishesOverTheAddressRateGet429() throws Exception {
    gateway = TestGateway.start(new JsonObject().put("publishRatePerIp", 5));
    WsClient bystander = track(new WsClient(gateway.vertx, gateway.port()).open("lim"));
    List<Future<TestGateway.Reply>> replies = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      replies.add(gateway.requestAsync(HttpMethod.POST, "/api/topics/lim/events", Buffer.buffer("1"), "application/json"));
    }
    Future.join(replies).await(30, TimeUnit.SECONDS);
    long created = replies.stream().filter(r -> r.result().status() == 201).count();
    List<TestGateway.Reply> limited = replies.stream().map(Future::result).filter(r -> r.status() == 429).toList();
    assertThat(created + limited.size()).isEqualTo(20);
    assertThat(created).isBetween(1L, 10L);
    assertThat(limited).isNotEmpty().allSatisfy(r -> {
      assertThat(r.errorCode()).isEqualTo("rate_limited");
      assertThat(r.headers().get("Retry-After")).as("a token is back within a second").isEqualTo("1");
    });
    assertThat(replies.stream().map(Future::result).filter(r -> r.status() == 201))
      .allSatisfy(r -> assertThat(r.headers().get("Retry-After")).isNull());

    // Another address has its own bucket; the bystander received every accepted event.
    assertThat(publishFrom("127.0.0.2", "lim").status()).isEqualTo(201);
    assertThat(bystander.awaitEvents((int) created + 1)).hasSize((int) created + 1);
  }

  @Test
  void connectionsOverTheAddressAndTotalLimitsGet503() throws Exception {
    gateway = TestGateway.start(new JsonObject().put("maxConnectionsPerIp", 2).put("maxConnections", 3).put("instances", 1));
    WsClient bystander = track(new WsClient(gateway.vertx, gateway.port()).open("lim"));
    track(new SseClient(gateway.vertx, gateway.port()).open("lim"));

    // A third connection from 127.0.0.1: refused before any transport runs, the upgrade included.
    TestGateway.Reply poll = gateway.get("/poll?topics=lim");
    assertThat(poll.status()).isEqualTo(503);
    assertThat(poll.errorCode()).isEqualTo("overloaded");
    assertThat(poll.headers().get("Retry-After")).isEqualTo("1");
    WebSocketClient ws = gateway.vertx.createWebSocketClient();
    closeables.add(() -> ws.close().await(5, TimeUnit.SECONDS));
    assertThat(upgradeStatus(ws)).isEqualTo(503);

    // 127.0.0.2 may open one (the third in total: a waiting long poll); the fourth, from
    // 127.0.0.3, is over the total.
    HttpClient second = client("127.0.0.2");
    second.request(HttpMethod.GET, gateway.port(), "127.0.0.1", "/poll/long?topics=lim&cursor=lim:0&timeout=30")
      .compose(r -> r.end()).await(10, TimeUnit.SECONDS);
    assertThat(publishFrom("127.0.0.3", "lim").status()).isEqualTo(503);

    // Once 127.0.0.2 lets go, a publish gets through, and the bystander receives it.
    second.close().await(5, TimeUnit.SECONDS);
    Eventually.check(gateway.vertx, () -> assertThat(publishFrom("127.0.0.3", "lim").status()).isEqualTo(201));
    assertThat(bystander.awaitEvents(1).get(0).getInteger("data")).isEqualTo(1);
  }

  @Test
  void aClosedWebSocketGivesBackItsPlace() throws Exception {
    gateway = TestGateway.start(new JsonObject().put("maxConnectionsPerIp", 1).put("instances", 1));
    WebSocketClient ws = gateway.vertx.createWebSocketClient();
    closeables.add(() -> ws.close().await(5, TimeUnit.SECONDS));
    Context context = gateway.vertx.getOrCreateContext();
    // One at a time from one address: each fits only once the one before is uncounted (the
    // gateway hears of a close a moment after the client, so each is retried until then).
    for (int i = 0; i < 3; i++) {
      Eventually.check(gateway.vertx, () -> assertThat(openAndClose(context, ws)).isEqualTo(101));
    }
    Eventually.check(gateway.vertx, () -> assertThat(gateway.get("/poll?topics=lim").status()).isEqualTo(200));
  }

  /**
   * Clients that reset their connection as soon as their request is out, on every transport that
   * holds something for them (an SSE stream on either path, a waiting long poll, a WebSocket
   * upgrade): whatever the gateway began for them is let go and their places come back, whichever
   * moment the reset meets.
   */
  @Test
  void clientsThatResetRightAfterTheirRequestLeaveNothingHeld() throws Exception {
    gateway = TestGateway.start(new JsonObject().put("maxConnectionsPerIp", 4).put("instances", 1));
    gateway.publish("gone", 1);
    String host = "Host: 127.0.0.1\r\n";
    List<String> requests = List.of(
      "GET /sse?topics=gone HTTP/1.1\r\n" + host + "\r\n",
      "GET /sse?topics=gone HTTP/1.0\r\n\r\n",
      "GET /poll/long?topics=gone&timeout=30 HTTP/1.1\r\n" + host + "\r\n",
      "GET /ws?topics=gone HTTP/1.1\r\n" + host + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    for (int round = 0; round < 50; round++) {
      for (String request : requests) {
        try (Socket socket = from("127.0.0.2")) {
          socket.setSoLinger(true, 0); // the close sends a reset, not the end of the stream
          socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
          if (round % 2 == 1 && !request.contains("/poll/long")) {
            socket.setSoTimeout(10_000);
            socket.getInputStream().read(); // every other round, once the answer has begun
          }
        }
      }
    }
    for (String transport : List.of("sse", "long", "ws")) {
      gateway.awaitSubscribers("gone", transport, 0);
    }
    // every place given back: as many streams as the address may hold open at once (the test's
    // own HTTP client, from 127.0.0.1, is counted apart)
    Eventually.check(gateway.vertx, () -> {
      List<Socket> streams = new ArrayList<>();
      try {
        for (int i = 0; i < 4; i++) {
          Socket socket = from("127.0.0.2");
          streams.add(socket);
          socket.setSoTimeout(10_000);
          socket.getOutputStream().write(requests.get(0).getBytes(StandardCharsets.US_ASCII));
          assertThat(new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII))
            .as("stream " + (i + 1)).isEqualTo("HTTP/1.1 200");
        }
      } finally {
        for (Socket socket : streams) {
          socket.close();
        }
      }
    });
  }

  /**
   * IPv6 clients count by their /64 (`ipv6PrefixLength`): a host that takes a fresh address of its
   * /64 for each connection is still one client, and the next /64 is another. The clients'
   * addresses are private ones put on loopback for the test (`ip addr add`, as root; skipped where
   * that cannot be done).
   */
  @Test
  void ipv6ClientsCountByTheirSlash64() throws Exception {
    List<String> addresses = List.of("fd7a:5e1f::a", "fd7a:5e1f::b", "fd7a:5e1f::ffff:0:c", "fd7a:5e1f:0:1::a");
    List<Socket> streams = new ArrayList<>();
    try {
      for (String address : addresses) {
        assumeTrue(ip("-6", "addr", "add", address + "/128", "dev", "lo", "nodad"), "IPv6 addresses on loopback (root)");
      }
      gateway = TestGateway.start(new JsonObject().put("host", "::").put("maxConnectionsPerIp", 2));
      assertThat(sseStatus(streams, addresses.get(0))).isEqualTo(200);
      assertThat(sseStatus(streams, addresses.get(1))).isEqualTo(200);
      assertThat(sseStatus(streams, addresses.get(2))).as("a third address of the same /64").isEqualTo(503);
      assertThat(sseStatus(streams, addresses.get(3))).as("the next /64").isEqualTo(200);
      assertThat(gateway.get("/poll?topics=lim").status()).as("IPv4 clients are served as before").isEqualTo(200);
    } finally {
      for (Socket socket : streams) {
        socket.close();
      }
      for (String address : addresses) {
        ip("-6", "addr", "del", address + "/128", "dev", "lo");
      }
    }
  }

  /** The status of an SSE stream opened from {@code localAddress}; the stream stays open, in {@code streams}. */
  private int sseStatus(List<Socket> streams, String localAddress) throws Exception {
    Socket socket = new Socket();
    streams.add(socket);
    socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
    socket.connect(new InetSocketAddress(InetAddress.getByName("::1"), gateway.port()), 5_000);
    socket.setSoTimeout(10_000);
    socket.getOutputStream().write("GET /sse?topics=lim HTTP/1.1\r\nHost: gateway\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    StringBuilder line = new StringBuilder();
    for (int c = socket.getInputStream().read(); c != '\n' && c >= 0; c = socket.getInputStream().read()) {
      line.append((char) c);
    }
    return Integer.parseInt(line.toString().split(" ")[1]);
  }

  private static boolean ip(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("ip"));
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (java.io.IOException noIpCommand) {
      return false;
    }
  }

  private Socket from(String localAddress) throws Exception {
    return new Socket(InetAddress.getByName("127.0.0.1"), gateway.port(), InetAddress.getByName(localAddress), 0);
  }

  /** 101 once the upgrade succeeded and the socket closed again, else the refusal's status. */
  private int openAndClose(Context context, WebSocketClient ws) throws Exception {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port())
      .setURI("/ws?topics=lim");
    return StreamClient.onContext(context, () -> ws.connect(options)
        .compose(s -> s.close().map(101))
        .recover(e -> Future.succeededFuture(e instanceof io.vertx.core.http.UpgradeRejectedException u ? u.getStatus() : -1)))
      .await(10, TimeUnit.SECONDS);
  }

  private int upgradeStatus(WebSocketClient ws) throws Exception {
    return ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port()).setURI("/ws?topics=lim"))
      .map(s -> 101)
      .recover(e -> Future.succeededFuture(e instanceof io.vertx.core.http.UpgradeRejectedException u ? u.getStatus() : -1))
      .await(10, TimeUnit.SECONDS);
  }

  private TestGateway.Reply publishFrom(String localAddress, String topic) throws Exception {
    HttpClient client = client(localAddress);
    try {
      return StreamClient.onContext(gateway.vertx.getOrCreateContext(), () -> client.request(new RequestOptions()
          .setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(gateway.port())
          .setURI("/api/topics/" + topic + "/events").putHeader("Content-Type", "application/json"))
        .compose(r -> r.send("1"))
        .compose(r -> r.body().map(b -> new TestGateway.Reply(r.statusCode(), r.headers(), b.toString()))))
        .await(10, TimeUnit.SECONDS);
    } finally {
      client.close().await(5, TimeUnit.SECONDS);
    }
  }

  private HttpClient client(String localAddress) {
    return gateway.vertx.createHttpClient(new HttpClientOptions().setLocalAddress(localAddress).setKeepAlive(false));
  }

  private <T extends StreamClient> T track(T client) {
    closeables.add(client::close);
    return client;
  }
}
