package io.pushgateway.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.testing.Eventually;
import io.pushgateway.gateway.testing.TestGateway;
import io.pushgateway.gateway.testing.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The WebSocket control protocol: subscribed, publish/ack, subscribe/unsubscribe, ping, close,
 * heartbeats; on both write paths.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebSocketProtocolTest {

  private static final Map<String, TestGateway> GATEWAYS = new LinkedHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    for (String path : List.of(GatewayConfig.WRITE_PATH_NETTY, GatewayConfig.WRITE_PATH_VERTX)) {
      GATEWAYS.put(path, TestGateway.start(new JsonObject().put("pingIntervalSeconds", 1).put("writePath", path)));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    for (TestGateway gateway : GATEWAYS.values()) {
      gateway.close();
    }
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"netty", "vertx"})
  void announcesEachTopicWithItsLatestIdAndEpoch(String writePath) throws Exception {
    TestGateway gateway = GATEWAYS.get(writePath);
    gateway.publishMany("ann-a", 3);
    WsClient client = new WsClient(gateway.vertx, gateway.port()).open("ann-a,ann-b");
    try {
      List<JsonObject> subscribed = client.controls().stream().filter(c -> "subscribed".equals(c.getString("op"))).toList();
      assertThat(subscribed).extracting(c -> c.getString("topic") + ":" + c.getLong("id")).containsExactly("ann-a:3", "ann-b:0");
      assertThat(subscribed).allSatisfy(c -> assertThat(c.getString("epoch")).isNotBlank());
      JsonObject info = gateway.get("/api/topics/ann-a").json();
      assertThat(info.getString("epoch")).isEqualTo(subscribed.get(0).getString("epoch"));
      assertThat(info.getJsonObject("subscribers").getLong("ws")).isEqualTo(1);
    } finally {
      client.close();
    }
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"netty", "vertx"})
  void publishesWithAckAndSubscribesAndUnsubscribesLive(String writePath) throws Exception {
    TestGateway gateway = GATEWAYS.get(writePath);
    WsClient client = new WsClient(gateway.vertx, gateway.port()).open("live-a");
    try {
      client.send(new JsonObject().put("op", "publish").put("topic", "live-a").put("data", new JsonObject().put("k", 1)).put("ref", "p1"));
      client.awaitEvents(1);
      awaitControl(client, "p1");
      assertThat(client.controls()).anySatisfy(c -> {
        assertThat(c.getString("op")).isEqualTo("ack");
        assertThat(c.getString("ref")).isEqualTo("p1");
        assertThat(c.getLong("id")).isEqualTo(1);
        assertThat(c.getString("topic")).isEqualTo("live-a");
      });
      gateway.publishMany("live-b", 2);
      client.send(new JsonObject().put("op", "subscribe").put("topic", "live-b").put("after", 1));
      client.awaitEvents(2);
      assertThat(client.ids("live-b")).containsExactly(2L);
      client.send(new JsonObject().put("op", "unsubscribe").put("topic", "live-a").put("ref", "u1"));
      awaitControl(client, "u1");
      gateway.publish("live-a", "not for you");
      gateway.publish("live-b", "for you");
      client.awaitEvents(3);
      assertThat(client.ids("live-a")).containsExactly(1L);
      assertThat(client.ids("live-b")).containsExactly(2L, 3L);
    } finally {
      client.close();
    }
  }

  /**
   * A publish op's data travels as the publisher wrote it (spacing and key order kept; the value
   * is checked, not rebuilt), re-encoded compactly only when it has a line break; a {@code ref}
   * that needs escaping comes back in the ack intact.
   */
  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"netty", "vertx"})
  void publishedDataTravelsAsSentAndTheAckEchoesAnyRef(String writePath) throws Exception {
    TestGateway gateway = GATEWAYS.get(writePath);
    String topic = "as-sent-" + writePath;
    String ref = "quote \" backslash \\ tab \t é \u2028";
    WsClient client = new WsClient(gateway.vertx, gateway.port()).open(topic);
    try {
      client.socket().writeTextMessage("{ \"op\" : \"publish\", \"topic\":\"" + topic
        + "\", \"data\" : {\"z\": [1, 2.50, \"a b\"],  \"a\":null}, \"ref\": \"r1\"}");
      client.socket().writeTextMessage(new JsonObject().put("op", "publish").put("topic", topic)
        .put("data", new JsonObject().put("n", 2)).put("ref", ref).encode());
      client.socket().writeTextMessage("{\"op\":\"publish\",\"topic\":\"" + topic + "\",\"data\":{\n  \"lines\": 3\r\n},\"ref\":\"r3\"}");
      client.awaitEvents(3);
      awaitControl(client, "r3");
      String answer = gateway.get("/poll?topics=" + topic + "&cursor=" + topic + ":0").body();
      assertThat(answer).contains("\"data\":{\"z\": [1, 2.50, \"a b\"],  \"a\":null}")
        .contains("\"data\":{\"lines\":3}");
      assertThat(client.controls()).filteredOn(c -> "ack".equals(c.getString("op")))
        .extracting(c -> c.getString("ref") + "→" + c.getLong("id")).containsExactly("r1→1", ref + "→2", "r3→3");
    } finally {
      client.close();
    }
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"netty", "vertx"})
  void aCloseWithoutStatusIsAnsweredWith1000(String writePath) throws Exception {
    TestGateway gateway = GATEWAYS.get(writePath);
    WsClient client = new WsClient(gateway.vertx, gateway.port()).open("closing");
    Future<Short> closed = closeStatus(client);
    // What a browser's ws.close() sends: a close frame with no payload.
    client.socket().writeFrame(new io.vertx.core.http.impl.ws.WebSocketFrameImpl(
      io.vertx.core.http.WebSocketFrameType.CLOSE, io.netty.buffer.Unpooled.EMPTY_BUFFER, true));
    assertThat(closed.await(10, TimeUnit.SECONDS)).isEqualTo((short) 1000);
    client.close();
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"netty", "vertx"})
  void aCloseWithAStatusIsAnsweredWithTheSameStatus(String writePath) throws Exception {
    TestGateway gateway = GATEWAYS.get(writePath);
    WsClient client = new WsClient(gateway.vertx, gateway.port()).open("closing-code");
    Future<Short> closed = closeStatus(client);
    client.socket().close((short) 4001, "done");
    assertThat(closed.await(10, TimeUnit.SECONDS)).isEqualTo((short) 4001);
    client.close();
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"netty", "vertx"})
  void textThatIsNotUtf8ClosesWith1007(String writePath) throws Exception {
    TestGateway gateway = GATEWAYS.get(writePath);
    WsClient client = new WsClient(gateway.vertx, gateway.port()).open("not-utf8");
    Future<Short> closed = closeStatus(client);
    // 0xC3 opens a two-byte sequence that 0x28 does not continue.
    client.socket().writeFrame(new io.vertx.core.http.impl.ws.WebSocketFrameImpl(io.vertx.core.http.WebSocketFrameType.TEXT,
      io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {'"', (byte) 0xC3, 0x28, '"'}), true));
    assertThat(closed.await(10, TimeUnit.SECONDS)).isEqualTo((short) 1007);
    client.close();
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"netty", "vertx"})
  void pingsAndClosesAPeerThatNeverAnswers(String writePath) throws Exception {
    TestGateway gateway = GATEWAYS.get(writePath);
    // A raw TCP peer that completes the handshake and then never answers a ping.
    // held until the end: Vert.x closes an unreachable client's connections when it is collected
    NetClient net = gateway.vertx.createNetClient();
    NetSocket socket = net.connect(gateway.port(), "127.0.0.1").await(10, TimeUnit.SECONDS);
    StringBuilder received = new StringBuilder();
    Promise<Void> dropped = Promise.promise();
    socket.closeHandler(v -> dropped.tryComplete());
    socket.handler(b -> {
      synchronized (received) {
        received.append(b.toString(StandardCharsets.ISO_8859_1));
      }
    });
    socket.write(Buffer.buffer("GET /ws?topics=silent HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
      + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"));
    Eventually.check(gateway.vertx, () -> {
      synchronized (received) {
        assertThat(received.toString()).as("a close frame").contains("\u0088");
      }
    });
    // Its close frame unanswered too, the gateway cuts the connection after a few seconds.
    dropped.future().await(15, TimeUnit.SECONDS);
    String bytes;
    synchronized (received) {
      bytes = received.toString();
    }
    assertThat(bytes).startsWith("HTTP/1.1 101");
    assertThat(bytes).as("a ping frame was sent").contains("\u0089\u0000");
    assertThat(bytes).as("then a close frame").contains("\u0088");
    net.close().await(10, TimeUnit.SECONDS);
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"netty", "vertx"})
  void aPeerThatAnswersPingsStaysOpen(String writePath) throws Exception {
    TestGateway gateway = GATEWAYS.get(writePath);
    WsClient client = new WsClient(gateway.vertx, gateway.port()).open("alive");
    Promise<Void> twoPings = Promise.promise();
    int[] pings = {0};
    client.socket().frameHandler(frame -> {
      if (frame.type() == io.vertx.core.http.WebSocketFrameType.PING && ++pings[0] >= 3) {
        twoPings.tryComplete();
      }
    });
    twoPings.future().await(10, TimeUnit.SECONDS);
    assertThat(client.socket().isClosed()).isFalse();
    client.close();
  }

  private static void awaitControl(WsClient client, String ref) throws Exception {
    Eventually.check(GATEWAYS.get(GatewayConfig.WRITE_PATH_NETTY).vertx, () -> assertThat(client.controls())
      .as("a control frame with ref " + ref).anyMatch(c -> ref.equals(c.getString("ref"))));
  }

  /** The status code of the close frame that will end {@code client}'s connection. */
  private static Future<Short> closeStatus(WsClient client) {
    Promise<Short> closed = Promise.promise();
    client.socket().closeHandler(v -> closed.tryComplete(client.socket().closeStatusCode()));
    return closed.future();
  }
}
