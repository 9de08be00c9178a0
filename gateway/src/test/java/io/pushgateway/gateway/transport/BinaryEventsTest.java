package io.pushgateway.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.core.Transport;
import io.pushgateway.gateway.testing.Eventually;
import io.pushgateway.gateway.testing.StreamClient;
import io.pushgateway.gateway.testing.TestGateway;
import io.pushgateway.gateway.testing.WsClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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
 * Binary events: bytes published with their media type reach every transport in publish order
 * among text events, with the same ids and cursors. A WebSocket that asked for binary frames gets
 * the envelope and then the very bytes in a binary frame; every other wire carries them as base64
 * with a marker. On both write paths.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BinaryEventsTest {

  private static final int MAX_PAYLOAD = 20_000;
  private static final int MAX_BINARY = 300_000;
  /** Far below the big events: one event larger than the queue's bound still goes out whole. */
  private static final int MAX_QUEUE = 16_384;
  private static final Map<String, TestGateway> GATEWAYS = new LinkedHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    for (String path : List.of(GatewayConfig.WRITE_PATH_NETTY, GatewayConfig.WRITE_PATH_VERTX)) {
      GATEWAYS.put(path, TestGateway.start(new JsonObject().put("writePath", path).put("maxPayloadBytes", MAX_PAYLOAD)
        .put("maxBinaryBytes", MAX_BINARY).put("maxQueueBytes", MAX_QUEUE)));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    for (TestGateway gateway : GATEWAYS.values()) {
      gateway.close();
    }
  }

  static Stream<Arguments> paths() {
    return GATEWAYS.keySet().stream().flatMap(path -> Stream.of(Transport.values()).map(t -> Arguments.of(path, t)));
  }

  /** Bytes that are not UTF-8 text (every byte value, shuffled), so nothing may decode them as such. */
  private static byte[] image(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static JsonObject publishBinary(TestGateway gateway, String topic, byte[] bytes, String contentType)
    throws Exception {
    TestGateway.Reply reply = gateway.request(HttpMethod.POST, "/api/topics/" + topic + "/events", Buffer.buffer(bytes),
      contentType);
    assertThat(reply.status()).as(reply.body()).isEqualTo(201);
    return reply.json();
  }

  @ParameterizedTest(name = "{1} on {0}")
  @MethodSource("paths")
  void everyTransportGetsTheBytesAsBase64AmongTextEventsInPublishOrder(String writePath, Transport transport)
    throws Exception {
    TestGateway gateway = GATEWAYS.get(writePath);
    String topic = "binary-" + transport.label();
    byte[] bytes = image(250_000, 1);
    StreamClient client = StreamClient.create(transport, gateway.vertx, gateway.port()).open(topic);
    try {
      gateway.publish(topic, new JsonObject().put("n", 1));
      assertThat(publishBinary(gateway, topic, bytes, "image/png").getLong("id")).isEqualTo(2);
      gateway.publish(topic, new JsonObject().put("n", 3));

      List<JsonObject> events = client.awaitEvents(3);
      assertThat(events).extracting(e -> e.getLong("id")).containsExactly(1L, 2L, 3L);
      JsonObject binary = events.get(1);
      assertThat(binary.getString("contentType")).isEqualTo("image/png");
      assertThat(binary.getString("encoding")).isEqualTo("base64");
      assertThat(Base64.getDecoder().decode(binary.getString("data"))).isEqualTo(bytes);
      assertThat(events.get(2).getJsonObject("data").getInteger("n")).isEqualTo(3);
      assertThat(events.get(0).containsKey("contentType")).as("text events carry no marker").isFalse();
      assertThat(client.cursor()).startsWith(topic + ":3:");
    } finally {
      client.close();
    }
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {GatewayConfig.WRITE_PATH_NETTY, GatewayConfig.WRITE_PATH_VERTX})
  void aWebSocketThatAsksForBinaryFramesGetsTheEnvelopeThenTheVeryBytes(String writePath) throws Exception {
    TestGateway gateway = GATEWAYS.get(writePath);
    String topic = "frames";
    byte[] first = image(MAX_BINARY, 2);
    byte[] second = image(1, 3);
    WsClient live = (WsClient) new WsClient(gateway.vertx, gateway.port()).query("&binary=1");
    live.open(topic);
    try {
      publishBinary(gateway, topic, first, "application/octet-stream");
      gateway.publish(topic, "between");
      publishBinary(gateway, topic, second, "image/webp; q=1");
      List<JsonObject> events = live.awaitEvents(3);
      Eventually.check(gateway.vertx, () -> assertThat(live.binaries()).hasSize(2));
      assertThat(live.kinds().subList(live.kinds().size() - 5, live.kinds().size()))
        .as("each envelope is followed by its bytes, in publish order")
        .containsExactly("text", "binary", "text", "text", "binary");
      assertThat(events.get(0).getString("contentType")).isEqualTo("application/octet-stream");
      assertThat(events.get(0).getInteger("bytes")).isEqualTo(first.length);
      assertThat(events.get(0).containsKey("data")).isFalse();
      assertThat(events.get(1).getString("data")).isEqualTo("between");
      assertThat(events.get(2).getString("contentType")).isEqualTo("image/webp; q=1");
      assertThat(live.binaries().get(0)).isEqualTo(first);
      assertThat(live.binaries().get(1)).isEqualTo(second);
    } finally {
      live.close();
    }

    // a client coming back reads them from history the same way
    WsClient resumed = (WsClient) new WsClient(gateway.vertx, gateway.port()).query("&binary=1");
    resumed.open(topic, topic + ":0");
    try {
      assertThat(resumed.awaitEvents(3)).extracting(e -> e.getLong("id")).containsExactly(1L, 2L, 3L);
      Eventually.check(gateway.vertx, () -> assertThat(resumed.binaries()).hasSize(2));
      assertThat(resumed.binaries().get(0)).isEqualTo(first);
      assertThat(resumed.binaries().get(1)).isEqualTo(second);
    } finally {
      resumed.close();
    }
  }

  @Test
  void badBinaryPublishesAreRefusedWithTheProtocolsCodes() throws Exception {
    TestGateway gateway = GATEWAYS.get(GatewayConfig.WRITE_PATH_NETTY);
    String path = "/api/topics/refused/events";
    TestGateway.Reply tooLarge = gateway.request(HttpMethod.POST, path, Buffer.buffer(image(MAX_BINARY + 1, 4)),
      "image/png");
    assertThat(tooLarge.status()).isEqualTo(413);
    assertThat(tooLarge.errorCode()).isEqualTo("payload_too_large");
    // JSON keeps its own, smaller limit although the route reads bodies up to the binary one
    String json = "\"" + "x".repeat(MAX_PAYLOAD) + "\"";
    TestGateway.Reply jsonTooLarge = gateway.request(HttpMethod.POST, path, Buffer.buffer(json), "application/json");
    assertThat(jsonTooLarge.status()).isEqualTo(413);
    assertThat(jsonTooLarge.errorCode()).isEqualTo("payload_too_large");
    for (String contentType : List.of("image", "image/png\"", "a/b; x=\"y\"", "image/ png", "x".repeat(70) + "/y")) {
      TestGateway.Reply bad = gateway.request(HttpMethod.POST, path, Buffer.buffer(image(10, 5)), contentType);
      assertThat(bad.status()).as(contentType).isEqualTo(400);
      assertThat(bad.errorCode()).as(contentType).isEqualTo("invalid_parameter");
    }
    TestGateway.Reply empty = gateway.request(HttpMethod.POST, path, Buffer.buffer(), "image/png");
    assertThat(empty.status()).isEqualTo(400);
    assertThat(empty.errorCode()).isEqualTo("invalid_parameter");
    assertThat(gateway.get("/ws?topics=refused&binary=2").status()).isEqualTo(400);
    assertThat(gateway.get("/api/topics/refused").status()).as("nothing was stored").isEqualTo(404);
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {GatewayConfig.WRITE_PATH_NETTY, GatewayConfig.WRITE_PATH_VERTX})
  void aWebSocketPublishesBytesAsTheBrowsersSendSendsThemAfterAnnouncingThem(String writePath) throws Exception {
    TestGateway gateway = GATEWAYS.get(writePath);
    String topic = "ws-publish";
    byte[] bytes = image(MAX_BINARY, 6);
    WsClient subscriber = (WsClient) new WsClient(gateway.vertx, gateway.port()).query("&binary=1");
    subscriber.open(topic);
    WsClient publisher = new WsClient(gateway.vertx, gateway.port()).open("other");
    try {
      publisher.send(new JsonObject().put("op", "publish").put("topic", topic).put("contentType", "image/png")
        .put("bytes", bytes.length).put("ref", "img"));
      publisher.socket().writeBinaryMessage(Buffer.buffer(bytes)).await(10, TimeUnit.SECONDS);
      JsonObject ack = awaitControl(gateway, publisher, "img");
      assertThat(ack.getString("op")).isEqualTo("ack");
      assertThat(ack.getLong("id")).isEqualTo(1);
      assertThat(subscriber.awaitEvents(1).get(0).getInteger("bytes")).isEqualTo(bytes.length);
      Eventually.check(gateway.vertx, () -> assertThat(subscriber.binaries()).hasSize(1));
      assertThat(subscriber.binaries().get(0)).isEqualTo(bytes);
    } finally {
      subscriber.close();
      publisher.close();
    }
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {GatewayConfig.WRITE_PATH_NETTY, GatewayConfig.WRITE_PATH_VERTX})
  void badBinaryMessagesGetErrorsAndTheConnectionServesOn(String writePath) throws Exception {
    TestGateway gateway = GATEWAYS.get(writePath);
    WsClient client = new WsClient(gateway.vertx, gateway.port()).open("other");
    try {
      // bytes nobody announced
      client.socket().writeBinaryMessage(Buffer.buffer(image(10, 7))).await(10, TimeUnit.SECONDS);
      assertThat(awaitErrors(gateway, client, 1).get(0).getString("code"))
        .isEqualTo("invalid_parameter");
      // fewer bytes than announced
      client.send(new JsonObject().put("op", "publish").put("topic", "bad-binary").put("contentType", "image/png")
        .put("bytes", 100).put("ref", "short"));
      client.socket().writeBinaryMessage(Buffer.buffer(image(99, 8))).await(10, TimeUnit.SECONDS);
      assertThat(awaitControl(gateway, client, "short").getString("code"))
        .isEqualTo("invalid_parameter");
      // an announce over the limit is refused before the bytes come, and its bytes are dropped unanswered
      client.send(new JsonObject().put("op", "publish").put("topic", "bad-binary").put("contentType", "image/png")
        .put("bytes", MAX_BINARY + 1).put("ref", "big"));
      assertThat(awaitControl(gateway, client, "big").getString("code"))
        .isEqualTo("payload_too_large");
      client.socket().writeBinaryMessage(Buffer.buffer(image(10, 9))).await(10, TimeUnit.SECONDS);
      // a text message between an announce and its bytes cancels the announce
      client.send(new JsonObject().put("op", "publish").put("topic", "bad-binary").put("contentType", "image/png")
        .put("bytes", 10).put("ref", "cut"));
      client.send(new JsonObject().put("op", "ping").put("ref", "alive"));
      assertThat(awaitControl(gateway, client, "alive").getString("op")).isEqualTo("pong");
      assertThat(awaitControl(gateway, client, "cut").getString("code"))
        .isEqualTo("invalid_parameter");
      assertThat(awaitErrors(gateway, client, 4)).hasSize(4);
      assertThat(gateway.get("/api/topics/bad-binary").status()).as("nothing was stored").isEqualTo(404);
      assertThat(client.closeCode()).isNull();
    } finally {
      client.close();
    }

    // unannounced bytes over maxFrameBytes close the connection like any message too big
    WsClient flooding = new WsClient(gateway.vertx, gateway.port()).open("other");
    try {
      flooding.socket().writeBinaryMessage(Buffer.buffer(image(200_000, 10))).await(10, TimeUnit.SECONDS);
      Eventually.check(gateway.vertx, () -> assertThat(flooding.closeCode()).isEqualTo((short) 1009));
    } finally {
      flooding.close();
    }
  }

  /**
   * Random sequences of announces (good and bad types and sizes), binary messages (of the
   * announced length or not) and text in between, on one socket: every announce is answered once,
   * what was acked is exactly what was stored, in order, and the connection keeps serving.
   */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void randomBinaryPublishSequencesNeverBreakTheConnectionOrLoseAnAck(long seed) throws Exception {
    TestGateway gateway = GATEWAYS.get(GatewayConfig.WRITE_PATH_NETTY);
    Random random = new Random(seed);
    String topic = "random-binary-" + seed;
    List<String> types = List.of("image/png", "application/octet-stream", "text/plain; charset=utf-8", "bad", "a/\"b\"");
    WsClient client = new WsClient(gateway.vertx, gateway.port()).open("other");
    try {
      int announces = 0;
      for (int step = 0; step < 60; step++) {
        int size = 1 + random.nextInt(2_000);
        switch (random.nextInt(4)) {
          case 0, 1 -> {
            announces++;
            client.send(new JsonObject().put("op", "publish").put("topic", topic)
              .put("contentType", types.get(random.nextInt(types.size())))
              .put("bytes", random.nextInt(10) == 0 ? MAX_BINARY + 1 : size).put("ref", "a" + announces));
            client.socket().writeBinaryMessage(Buffer.buffer(image(random.nextBoolean() ? size : size + 1, step)))
              .await(10, TimeUnit.SECONDS);
          }
          case 2 -> client.socket().writeBinaryMessage(Buffer.buffer(image(size, step))).await(10, TimeUnit.SECONDS);
          default -> client.send(new JsonObject().put("op", "ping").put("ref", "ping" + step));
        }
      }
      client.send(new JsonObject().put("op", "ping").put("ref", "last"));
      awaitControl(gateway, client, "last");
      // a publish is answered once it is stored, a ping at once: the last pong may pass an ack
      int announced = announces;
      Eventually.check(gateway.vertx, () -> assertThat(java.util.stream.IntStream.rangeClosed(1, announced)
        .mapToObj(a -> "a" + a)
        .filter(ref -> client.controls().stream().noneMatch(c -> ref.equals(c.getString("ref"))))).as("unanswered").isEmpty());
      for (int a = 1; a <= announces; a++) {
        String ref = "a" + a;
        assertThat(client.controls().stream().filter(c -> ref.equals(c.getString("ref"))).count())
          .as("answers to " + ref).isEqualTo(1);
      }
      List<Long> acked = client.controls().stream().filter(c -> "ack".equals(c.getString("op")))
        .map(c -> c.getLong("id")).toList();
      long stored = acked.isEmpty() ? 0 : lastId(gateway, topic);
      assertThat(acked).as("acked ids are the stored ones, in order")
        .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, stored).boxed().toList());
      assertThat(client.closeCode()).isNull();
    } finally {
      client.close();
    }
  }

  private static long lastId(TestGateway gateway, String topic) throws Exception {
    return gateway.get("/api/topics/" + topic).json().getLong("lastId");
  }

  /** The metrics count binary data by its raw bytes, apart from JSON, and what goes out in binary frames. */
  @Test
  void theMetricsCountBinaryBytesPublishedAndDelivered() throws Exception {
    TestGateway gateway = GATEWAYS.get(GatewayConfig.WRITE_PATH_NETTY);
    String topic = "metered";
    WsClient live = (WsClient) new WsClient(gateway.vertx, gateway.port()).query("&binary=1");
    live.open(topic);
    try {
      double publishedBefore = metric(gateway, "pushgateway_published_bytes_total", "kind", "binary");
      double jsonBefore = metric(gateway, "pushgateway_published_bytes_total", "kind", "json");
      double writtenBefore = metric(gateway, "pushgateway_written_bytes_total", "transport", "ws");
      publishBinary(gateway, topic, image(12_345, 50), "image/png");
      gateway.publish(topic, "12345");
      live.awaitEvents(2);
      Eventually.check(gateway.vertx, () -> assertThat(live.binaries()).hasSize(1));
      String envelope = live.events().get(0).encode();
      assertThat(metric(gateway, "pushgateway_published_bytes_total", "kind", "binary") - publishedBefore)
        .isEqualTo(12_345);
      assertThat(metric(gateway, "pushgateway_published_bytes_total", "kind", "json") - jsonBefore)
        .isEqualTo("\"12345\"".length());
      assertThat(metric(gateway, "pushgateway_written_bytes_total", "transport", "ws") - writtenBefore)
        .as("the envelope, the bytes and the JSON event").isGreaterThan(12_345 + envelope.length());
    } finally {
      live.close();
    }
  }

  private static double metric(TestGateway gateway, String name, String label, String value) throws Exception {
    return gateway.scrape().value(name, label, value);
  }

  /** A cursor taken on one transport resumes binary events on another: SSE, then WebSocket frames, then a long poll. */
  @Test
  void aCursorFromOneTransportResumesBinaryEventsOnAnother() throws Exception {
    TestGateway gateway = GATEWAYS.get(GatewayConfig.WRITE_PATH_NETTY);
    String topic = "roaming";
    List<byte[]> sent = List.of(image(3_000, 40), image(4_000, 41), image(5_000, 42));
    StreamClient sse = StreamClient.create(Transport.SSE, gateway.vertx, gateway.port()).open(topic);
    String cursor;
    try {
      publishBinary(gateway, topic, sent.get(0), "image/png");
      assertThat(Base64.getDecoder().decode(sse.awaitEvents(1).get(0).getString("data"))).isEqualTo(sent.get(0));
      cursor = sse.cursor();
    } finally {
      sse.close();
    }
    publishBinary(gateway, topic, sent.get(1), "image/png");
    WsClient ws = (WsClient) new WsClient(gateway.vertx, gateway.port()).query("&binary=1");
    ws.open(topic, cursor);
    try {
      assertThat(ws.awaitEvents(1).get(0).getLong("id")).isEqualTo(2);
      Eventually.check(gateway.vertx, () -> assertThat(ws.binaries()).hasSize(1));
      assertThat(ws.binaries().get(0)).isEqualTo(sent.get(1));
      cursor = ws.cursor();
    } finally {
      ws.close();
    }
    publishBinary(gateway, topic, sent.get(2), "image/png");
    StreamClient poll = StreamClient.create(Transport.LONG, gateway.vertx, gateway.port()).open(topic, cursor);
    try {
      JsonObject third = poll.awaitEvents(1).get(0);
      assertThat(third.getLong("id")).isEqualTo(3);
      assertThat(Base64.getDecoder().decode(third.getString("data"))).isEqualTo(sent.get(2));
      assertThat(poll.resets()).isEmpty();
    } finally {
      poll.close();
    }
  }

  /** An announced binary publish is one publish for the rate limits: admitted when announced, not again for its bytes. */
  @Test
  void aBinaryPublishTakesOneTokenOfThePublishRate() throws Exception {
    try (TestGateway limited = TestGateway.start(new JsonObject().put("publishRatePerConnection", 2))) {
      WsClient client = new WsClient(limited.vertx, limited.port()).open("other");
      try {
        for (String ref : List.of("one", "two", "three")) {
          client.send(new JsonObject().put("op", "publish").put("topic", "rated").put("contentType", "image/png")
            .put("bytes", 10).put("ref", ref));
          client.socket().writeBinaryMessage(Buffer.buffer(image(10, 60))).await(10, TimeUnit.SECONDS);
          awaitControl(limited, client, ref);
        }
        List<String> answers = Stream.of("one", "two", "three").map(ref -> client.controls().stream()
          .filter(c -> ref.equals(c.getString("ref"))).findFirst().orElseThrow())
          .map(c -> c.getString("op") + ":" + c.getString("code")).toList();
        // a burst of one second's worth (2), then the rate
        assertThat(answers).containsExactly("ack:null", "ack:null", "error:rate_limited");
      } finally {
        client.close();
      }
    }
  }

  /** Kept images cannot exhaust the heap: a topic keeps what fits its bytes, and a resumer behind them gets a reset. */
  @Test
  void historyKeepsWhatFitsItsBytesAndAResumerBehindItGetsAReset() throws Exception {
    try (TestGateway small = TestGateway.start(new JsonObject().put("maxBinaryBytes", MAX_BINARY)
      .put("historyMaxBytes", 1_000_000))) {
      String topic = "album";
      for (int i = 1; i <= 10; i++) {
        publishBinary(small, topic, image(250_000, 20 + i), "image/jpeg");
      }
      // 250,000 bytes are 333,336 in base64: with its envelope a third event would pass 1,000,000 bytes
      JsonObject state = small.get("/api/topics/" + topic).json();
      assertThat(state.getLong("lastId")).isEqualTo(10);
      assertThat(state.getLong("oldestId")).isEqualTo(9);
      String epoch = state.getString("epoch");
      JsonObject answer = small.get("/poll?topics=" + topic + "&cursor=" + topic + ":1:" + epoch).json();
      assertThat(answer.getJsonArray("resets")).hasSize(1);
      assertThat(answer.getJsonArray("resets").getJsonObject(0).getLong("from")).isEqualTo(9);
      assertThat(answer.getJsonArray("events")).hasSize(2);
      assertThat(Base64.getDecoder().decode(answer.getJsonArray("events").getJsonObject(1).getString("data")))
        .isEqualTo(image(250_000, 30));
    }
  }

  private static JsonObject awaitControl(TestGateway gateway, WsClient client, String ref) throws Exception {
    JsonObject[] found = new JsonObject[1];
    Eventually.check(gateway.vertx, () -> {
      found[0] = client.controls().stream().filter(c -> ref.equals(c.getString("ref"))).findFirst().orElse(null);
      assertThat(found[0]).as("an answer to " + ref).isNotNull();
    });
    return found[0];
  }

  private static List<JsonObject> awaitErrors(TestGateway gateway, WsClient client, int count) throws Exception {
    Eventually.check(gateway.vertx, () -> assertThat(client.controls().stream()
      .filter(c -> "error".equals(c.getString("op"))).count()).isGreaterThanOrEqualTo(count));
    return client.controls().stream().filter(c -> "error".equals(c.getString("op"))).toList();
  }
}
