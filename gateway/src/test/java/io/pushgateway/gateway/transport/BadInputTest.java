package io.pushgateway.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.core.Transport;
import io.pushgateway.gateway.testing.Eventually;
import io.pushgateway.gateway.testing.StreamClient;
import io.pushgateway.gateway.testing.RawHttp;
import io.pushgateway.gateway.testing.TestGateway;
import io.pushgateway.gateway.testing.WsClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every refusal of the protocol's error list, over the real wire, while a subscriber on the same
 * gateway keeps receiving: bad input never disturbs anyone else.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BadInputTest {

  private static TestGateway gateway;
  /** The same gateway on the public-API write path, for what reaches the WebSocket's own code. */
  private static TestGateway onVertx;
  private static WsClient bystander;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start(new JsonObject()
      .put("maxPayloadBytes", 1024).put("maxFrameBytes", 4096).put("maxTopicsPerSubscription", 3)
      .put("allowedOrigins", "https://app.example"));
    bystander = new WsClient(gateway.vertx, gateway.port()).open("calm");
    onVertx = TestGateway.start(new JsonObject()
      .put("maxPayloadBytes", 1024).put("maxFrameBytes", 4096).put("maxTopicsPerSubscription", 3)
      .put("writePath", "vertx"));
  }

  @AfterAll
  static void stop() throws Exception {
    // Whatever the bad requests did, the bystander still gets what is published.
    gateway.publish("calm", "still here");
    assertThat(bystander.awaitEvents(1).get(0).getString("data")).isEqualTo("still here");
    bystander.close();
    gateway.close();
    onVertx.close();
  }

  private static TestGateway on(String writePath) {
    return writePath.equals("vertx") ? onVertx : gateway;
  }

  static Stream<Arguments> badRequests() {
    String big = "\"" + "x".repeat(2000) + "\"";
    String manyNames = IntStream.range(0, 40).mapToObj(i -> "p" + i + "=").collect(Collectors.joining("&"));
    return Stream.of(
      Arguments.of("GET", "/poll?topics=bad%20topic", null, 400, "invalid_topic"),
      Arguments.of("GET", "/poll?topics=", null, 400, "invalid_parameter"),
      Arguments.of("GET", "/poll", null, 400, "invalid_parameter"),
      Arguments.of("GET", "/poll?topics=a,b,c,d", null, 400, "invalid_parameter"),
      Arguments.of("GET", "/poll?topics=a&cursor=a:x", null, 400, "invalid_cursor"),
      Arguments.of("GET", "/poll?topics=a&cursor=a:1&limit=0", null, 400, "invalid_parameter"),
      Arguments.of("GET", "/poll?topics=a&cursor=a:1&limit=ten", null, 400, "invalid_parameter"),
      Arguments.of("GET", "/poll?topics=a&topics=b", null, 400, "invalid_parameter"),
      Arguments.of("GET", "/poll/long?topics=a&cursor=a:1&cursor=a:2", null, 400, "invalid_parameter"),
      Arguments.of("GET", "/sse?topics=a&Topics=b", null, 400, "invalid_parameter"),
      Arguments.of("GET", "/poll?topics=a&" + manyNames + "&TOPICS=b", null, 400, "invalid_parameter"),
      Arguments.of("GET", "/ws?topics=a&topics=a", null, 400, "invalid_parameter"),
      Arguments.of("POST", "/api/topics/a/events?x=1&x=2", "{}", 400, "invalid_parameter"),
      Arguments.of("GET", "/poll?topics=a&cursor=a:1&interval=0", null, 400, "invalid_parameter"),
      Arguments.of("GET", "/poll?topics=a&cursor=a:1&interval=3601", null, 400, "invalid_parameter"),
      Arguments.of("GET", "/poll/long?topics=a&cursor=a:1&timeout=0", null, 400, "invalid_parameter"),
      Arguments.of("GET", "/poll/long?topics=a&cursor=a:1&timeout=61", null, 400, "invalid_parameter"),
      Arguments.of("GET", "/poll/long?topics=-a", null, 400, "invalid_topic"),
      Arguments.of("GET", "/sse?topics=a&cursor=a:1:", null, 400, "invalid_cursor"),
      Arguments.of("GET", "/sse?topics=" + "t".repeat(129), null, 400, "invalid_topic"),
      Arguments.of("GET", "/ws?topics=a", null, 400, "invalid_parameter"),
      Arguments.of("GET", "/ws?topics=a&cursor=nope", null, 400, "invalid_cursor"),
      Arguments.of("POST", "/api/topics/a/events", "{not json", 400, "invalid_json"),
      Arguments.of("POST", "/api/topics/a/events", "", 400, "invalid_json"),
      Arguments.of("POST", "/api/topics/a/events", "1 2", 400, "invalid_json"),
      Arguments.of("POST", "/api/topics/-a/events", "1", 400, "invalid_topic"),
      Arguments.of("POST", "/api/topics/a/events", big, 413, "payload_too_large"),
      Arguments.of("GET", "/api/topics/never-published", null, 404, "not_found"),
      Arguments.of("GET", "/api/nothing-here", null, 404, "not_found"));
  }

  @ParameterizedTest(name = "{0} {1} -> {3} {4}")
  @MethodSource("badRequests")
  void answersWithTheDocumentedError(String method, String uri, String body, int status, String code) throws Exception {
    TestGateway.Reply reply = gateway.request(HttpMethod.valueOf(method), uri,
      body == null ? null : Buffer.buffer(body), body == null ? null : "application/json");
    assertThat(reply.status()).isEqualTo(status);
    assertThat(reply.errorCode()).isEqualTo(code);
    assertThat(reply.json().getJsonObject("error").getString("message")).isNotBlank();
    assertThat(reply.headers().get("Content-Type")).startsWith("application/json");
  }

  @Test
  void publishNeedsAContentType() throws Exception {
    // application/json is JSON data, any other media type binary data: without one, neither
    TestGateway.Reply reply = gateway.request(HttpMethod.POST, "/api/topics/a/events", Buffer.buffer("1"), null);
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.errorCode()).isEqualTo("invalid_parameter");
  }

  @Test
  void foreignOriginsAreRefusedOnEveryTransport() throws Exception {
    for (String uri : new String[] {"/poll?topics=a", "/poll/long?topics=a", "/sse?topics=a", "/ws?topics=a",
      "/api/topics"}) {
      TestGateway.Reply reply = gateway.request(HttpMethod.GET, uri, null, null, "Origin", "https://evil.example");
      assertThat(reply.status()).as(uri).isEqualTo(403);
      assertThat(reply.errorCode()).isEqualTo("forbidden");
    }
    Throwable refused = gateway.vertx.createWebSocketClient()
      .connect(new WebSocketConnectOptions().setHost("localhost").setPort(gateway.port()).setURI("/ws?topics=a")
        .putHeader("Origin", "https://evil.example"))
      .transform(ar -> io.vertx.core.Future.succeededFuture(ar.cause()))
      .await(10, TimeUnit.SECONDS);
    assertThat(refused).as("WebSocket handshake from a foreign origin").isNotNull().hasMessageContaining("403");
  }

  @Test
  void ownAndConfiguredOriginsGetCorsAnswers() throws Exception {
    TestGateway.Reply own = gateway.request(HttpMethod.GET, "/poll?topics=a", null, null,
      "Origin", "http://127.0.0.1:" + gateway.port());
    assertThat(own.status()).isEqualTo(200);
    TestGateway.Reply configured = gateway.request(HttpMethod.GET, "/poll?topics=a", null, null,
      "Origin", "https://app.example");
    assertThat(configured.status()).isEqualTo(200);
    assertThat(configured.headers().get("Access-Control-Allow-Origin")).isEqualTo("https://app.example");
    TestGateway.Reply preflight = gateway.request(HttpMethod.OPTIONS, "/api/topics/a/events", null, null,
      "Origin", "https://app.example", "Access-Control-Request-Method", "POST",
      "Access-Control-Request-Headers", "content-type");
    assertThat(preflight.status()).isEqualTo(204);
    assertThat(preflight.headers().get("Access-Control-Allow-Methods")).contains("POST");
    assertThat(preflight.headers().get("Access-Control-Allow-Headers")).containsIgnoringCase("Content-Type")
      .containsIgnoringCase("Idempotency-Key");
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"netty", "vertx"})
  void aWebSocketHandshakeInAnotherVersionIsToldTheVersionTheGatewaySpeaks(String writePath) throws Exception {
    TestGateway g = on(writePath);
    String[] handshake = {"Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="};
    try (RawHttp raw = new RawHttp(g.vertx, g.port())) {
      RawHttp.Reply version8 = raw.send("GET", "/ws?topics=a", null,
        Stream.concat(Stream.of(handshake), Stream.of("Sec-WebSocket-Version: 8")).toArray(String[]::new));
      assertThat(version8.status()).isEqualTo(400);
      assertThat(version8.errorCode()).isEqualTo("invalid_parameter");
      assertThat(version8.header("Sec-WebSocket-Version")).as("RFC 6455 §4.4").isEqualTo("13");
      RawHttp.Reply noKey = raw.send("GET", "/ws?topics=a", null, handshake[0], handshake[1], "Sec-WebSocket-Version: 13");
      assertThat(noKey.status()).isEqualTo(400);
      assertThat(noKey.header("Sec-WebSocket-Version")).isNull();
      assertThat(raw.upgrade("/ws?topics=a").status()).isEqualTo(101);
    }
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"netty", "vertx"})
  void badWebSocketFramesGetErrorFramesAndTheConnectionStaysOpen(String writePath) throws Exception {
    TestGateway g = on(writePath);
    WsClient client = new WsClient(g.vertx, g.port()).open("frames");
    try {
      client.send(new JsonObject().put("op", "dance").put("ref", "r1"));
      client.socket().writeTextMessage("not json").await();
      client.send(new JsonObject().put("op", "subscribe").put("topic", "bad topic").put("ref", "r2"));
      client.send(new JsonObject().put("op", "publish").put("topic", "frames").put("ref", "r3"));
      client.send(new JsonObject().put("op", "publish").put("topic", "frames").put("data", "x".repeat(1500)).put("ref", "r4"));
      client.send(new JsonObject().put("op", "subscribe").put("topic", "frames2").put("after", "x").put("ref", "r5"));
      client.send(new JsonObject().put("op", "ping").put("ref", "r6"));
      awaitControls(client, 7);
      assertThat(client.controls()).extracting(c -> c.getString("op") + ":" + c.getString("code") + ":" + c.getString("ref"))
        .contains("error:invalid_parameter:r1", "error:invalid_json:null", "error:invalid_topic:r2",
          "error:invalid_parameter:r3", "error:payload_too_large:r4", "error:invalid_cursor:r5", "pong:null:r6");
      assertThat(client.socket().isClosed()).isFalse();
    } finally {
      client.close();
    }
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"netty", "vertx"})
  void anOversizeFrameClosesWith1009(String writePath) throws Exception {
    TestGateway g = on(writePath);
    WsClient client = new WsClient(g.vertx, g.port()).open("big");
    client.socket().writeTextMessage("{\"op\":\"ping\",\"pad\":\"" + "x".repeat(8000) + "\"}");
    Eventually.check(g.vertx, () -> assertThat(client.closeCode()).isEqualTo((short) 1009));
    client.close();
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"netty", "vertx"})
  void aMessageFragmentedPastTheLimitClosesWith1009(String writePath) throws Exception {
    TestGateway g = on(writePath);
    WsClient client = new WsClient(g.vertx, g.port()).open("big");
    // Each fragment is under the 4,096-byte limit; the message they make is not.
    String part = "x".repeat(2000);
    client.socket().writeFrame(WebSocketFrame.textFrame("{\"op\":\"ping\",\"pad\":\"" + part, false));
    client.socket().writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(part), false));
    client.socket().writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(part + "\"}"), true));
    Eventually.check(g.vertx, () -> assertThat(client.closeCode()).isEqualTo((short) 1009));
    client.close();
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"netty", "vertx"})
  void aFragmentedMessageUnderTheLimitIsOneCommand(String writePath) throws Exception {
    TestGateway g = on(writePath);
    WsClient client = new WsClient(g.vertx, g.port()).open("frag");
    try {
      client.socket().writeFrame(WebSocketFrame.textFrame("{\"op\":\"ping\",", false));
      client.socket().writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer("\"ref\":\"f1\"}"), true));
      Eventually.check(g.vertx, () -> assertThat(client.controls())
        .anyMatch(c -> "pong".equals(c.getString("op")) && "f1".equals(c.getString("ref"))));
      assertThat(client.socket().isClosed()).isFalse();
    } finally {
      client.close();
    }
  }

  @Test
  void disabledTransportsAnswer404() throws Exception {
    try (TestGateway wsOnly = TestGateway.start(new JsonObject().put("transports", "ws"))) {
      for (String uri : new String[] {"/sse?topics=a", "/poll?topics=a", "/poll/long?topics=a"}) {
        TestGateway.Reply reply = wsOnly.get(uri);
        assertThat(reply.status()).as(uri).isEqualTo(404);
        assertThat(reply.errorCode()).isEqualTo("not_found");
      }
      StreamClient ws = StreamClient.create(Transport.WS, wsOnly.vertx, wsOnly.port()).open("a");
      ws.close();
    }
  }

  private static void awaitControls(WsClient client, int count) throws Exception {
    // +1: the subscribed frame
    Eventually.check(gateway.vertx, () -> assertThat(client.controls()).hasSizeGreaterThanOrEqualTo(count + 1));
  }
}
