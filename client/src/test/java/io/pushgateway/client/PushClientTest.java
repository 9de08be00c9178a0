package io.pushgateway.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pushgateway.gateway.testing.CuttingProxy;
import io.pushgateway.gateway.testing.TestGateway;
import io.pushgateway.gateway.testing.TestTokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Java client against a real gateway on loopback: every transport delivers every event once
 * and in order, a saved cursor resumes a new client (an app restart), a cursor older than history
 * gets a reset, auto falls back when WebSocket is not served, publishes are acknowledged, and
 * reconnectNow resumes without loss.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PushClientTest {

  private static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start(new JsonObject().put("historySize", 5));
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
  }

  private static PushClient client(String topic, Transport transport, String cursor, Recorder recorder) {
    return PushClient.builder(gateway.url()).topics(topic).transport(transport).cursor(cursor)
      .pollInterval(Duration.ofMillis(200)).listener(recorder).build();
  }

  static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"WS", "SSE", "LONG", "SHORT"})
  void everyTransportDeliversEveryEventOnceInOrder(Transport transport) throws Exception {
    String topic = "java-" + transport.label();
    Recorder recorder = new Recorder();
    try (PushClient client = client(topic, transport, null, recorder)) {
      client.connect();
      recorder.await("open", () -> !recorder.opens.isEmpty());
      for (int i = 1; i <= 5; i++) {
        gateway.publish(topic, new JsonObject().put("n", i));
      }
      recorder.await("5 events", () -> recorder.events.size() >= 5);
      assertThat(recorder.ids()).containsExactlyElementsOf(range(1, 5));
      assertThat(recorder.events.get(4).data().getAsJsonObject().get("n").getAsInt()).isEqualTo(5);
      assertThat(client.cursor()).startsWith(topic + ":5:");
      assertThat(client.stats().transport).isEqualTo(transport);
    }
  }

  /** The gateway meters what each transport's client puts on the wire, its events' bytes and more. */
  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"WS", "SSE", "LONG", "SHORT"})
  void aMeteredClientReadsWhatItPutOnTheWire(Transport transport) throws Exception {
    String topic = "java-meter-" + transport.label();
    String payload = "x".repeat(500);
    Recorder recorder = new Recorder();
    try (PushClient client = PushClient.builder(gateway.url()).topics(topic).transport(transport)
      .pollInterval(Duration.ofMillis(200)).meter("java-meter-" + transport.label()).listener(recorder).build()) {
      client.connect();
      recorder.await("open", () -> !recorder.opens.isEmpty());
      for (int i = 1; i <= 5; i++) {
        gateway.publish(topic, new JsonObject().put("p", payload));
      }
      recorder.await("5 events", () -> recorder.events.size() >= 5);
      WireMeter meter = client.readMeter().get(10, TimeUnit.SECONDS);
      assertThat(meter.bytesDown).as("five events of 500 B and their framing").isGreaterThan(5 * 500);
      assertThat(meter.bytesUp).as("the request heads").isGreaterThan(50);
      assertThat(meter.requests).isPositive();
    }
    try (PushClient unmetered = client(topic, transport, null, new Recorder())) {
      assertThat(unmetered.readMeter().get(10, TimeUnit.SECONDS)).isNull();
    }
    assertThatThrownBy(() -> PushClient.builder(gateway.url()).meter("short")).isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * Bytes published by one Java client over its WebSocket (an announced binary message) reach a
   * subscriber on each transport as the same bytes with their type, among JSON events, in order.
   */
  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"WS", "SSE", "LONG", "SHORT"})
  void binaryEventsArriveAsTheSameBytesOnEveryTransport(Transport transport) throws Exception {
    String topic = "java-binary-" + transport.label();
    byte[] photo = new byte[200_000];
    new java.util.Random(7).nextBytes(photo);
    Recorder recorder = new Recorder();
    Recorder publisherEvents = new Recorder();
    try (PushClient subscriber = client(topic, transport, null, recorder);
         PushClient publisher = client("java-binary-publisher", Transport.WS, null, publisherEvents)) {
      subscriber.connect();
      publisher.connect();
      recorder.await("open", () -> !recorder.opens.isEmpty());
      publisherEvents.await("publisher open", () -> !publisherEvents.opens.isEmpty());
      publisher.publish(topic, "{\"n\":1}").get(10, TimeUnit.SECONDS);
      Published binary = publisher.publish(topic, photo, "image/jpeg").get(10, TimeUnit.SECONDS);
      assertThat(binary.id()).isEqualTo(2);
      gateway.publish(topic, new JsonObject().put("n", 3));
      recorder.await("3 events", () -> recorder.events.size() >= 3);
      assertThat(recorder.ids()).containsExactly(1L, 2L, 3L);
      Event received = recorder.events.get(1);
      assertThat(received.isBinary()).isTrue();
      assertThat(received.contentType()).isEqualTo("image/jpeg");
      assertThat(received.bytes()).isEqualTo(photo);
      assertThat(received.data()).isNull();
      assertThat(recorder.events.get(0).isBinary()).isFalse();
    }
  }

  /**
   * The compact format: the same events from the same cursor on every transport, across two
   * topics, a reset (history older than the cursor) and a binary event; fewer bytes on the wire
   * than the full format for the same events, as the gateway meters them.
   */
  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"WS", "SSE", "LONG", "SHORT"})
  void theCompactFormatDeliversTheSameEventsInFewerBytes(Transport transport) throws Exception {
    String a = "java-compact-a-" + transport.label();
    String b = "java-compact-b-" + transport.label();
    gateway.publishMany(a, 8); // 4..8 kept: a cursor at 1 is reset to 4
    Recorder full = new Recorder();
    Recorder compact = new Recorder();
    try (PushClient fullClient = PushClient.builder(gateway.url()).topics(a, b).transport(transport)
           .cursor(a + ":1").meter("java-json-" + transport.label()).pollInterval(Duration.ofMillis(200))
           .listener(full).build();
         PushClient compactClient = PushClient.builder(gateway.url()).topics(a, b).transport(transport)
           .cursor(a + ":1").meter("java-compact-" + transport.label()).compact()
           .pollInterval(Duration.ofMillis(200)).listener(compact).build()) {
      fullClient.connect();
      compactClient.connect();
      compact.await("5 events", () -> compact.events.size() >= 5);
      full.await("5 events", () -> full.events.size() >= 5);
      for (int n = 1; n <= 3; n++) { // within the history of 5, for a short poll's pause
        gateway.publish(b, new JsonObject().put("n", n));
        gateway.publish(a, new JsonObject().put("n", n + 8));
      }
      gateway.request(io.vertx.core.http.HttpMethod.POST, "/api/topics/" + b + "/events",
        io.vertx.core.buffer.Buffer.buffer(new byte[] {1, 2, 3}), "image/png");
      gateway.publish(b, new JsonObject().put("n", 5));
      compact.await("13 events", () -> compact.events.size() >= 13);
      full.await("13 events", () -> full.events.size() >= 13);
      assertThat(compact.resets).extracting(Reset::from).containsExactly(4L);
      assertThat(compact.events).extracting(e -> e.topic() + ":" + e.id() + ":" + (e.data() == null ? "bytes" : e.data()))
        .containsExactlyInAnyOrderElementsOf(full.events.stream()
          .map(e -> e.topic() + ":" + e.id() + ":" + (e.data() == null ? "bytes" : e.data())).toList());
      assertThat(compactClient.cursor()).isEqualTo(fullClient.cursor());
      assertThat(compactClient.stats().gaps).isZero();
      if (transport == Transport.WS || transport == Transport.SSE) {
        // one connection each: the difference is the events' spelling alone
        assertThat(compactClient.readMeter().get(10, TimeUnit.SECONDS).bytesDown)
          .isLessThan(fullClient.readMeter().get(10, TimeUnit.SECONDS).bytesDown - 8 * 20);
      }
    }
  }

  /** {@code .timestamps()}: a one-topic compact stream on every transport, each event with its ts. */
  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"WS", "SSE", "LONG", "SHORT"})
  void aCompactClientAskingForTimestampsGetsThem(Transport transport) throws Exception {
    String topic = "java-compact-ts-" + transport.label();
    Recorder recorder = new Recorder();
    try (PushClient client = PushClient.builder(gateway.url()).topics(topic).transport(transport).compact().timestamps()
           .cursor(topic + ":0").pollInterval(Duration.ofMillis(200)).listener(recorder).build()) {
      client.connect();
      JsonObject first = gateway.publish(topic, new JsonObject().put("n", 1));
      JsonObject second = gateway.publish(topic, new JsonObject().put("n", 2));
      recorder.await("2 events", () -> recorder.events.size() >= 2);
      assertThat(recorder.ids()).containsExactly(1L, 2L);
      assertThat(recorder.events).extracting(Event::ts).containsExactly(first.getLong("ts"), second.getLong("ts"));
      assertThat(recorder.events.get(1).data().getAsJsonObject().get("n").getAsInt()).isEqualTo(2);
    }
  }

  @Test
  void aSavedCursorResumesANewClientWithNothingLostOrRepeated() throws Exception {
    String topic = "java-resume";
    Recorder first = new Recorder();
    String cursor;
    try (PushClient client = client(topic, Transport.WS, null, first)) {
      client.connect();
      first.await("open", () -> !first.opens.isEmpty());
      gateway.publish(topic, new JsonObject().put("n", 1));
      gateway.publish(topic, new JsonObject().put("n", 2));
      first.await("2 events", () -> first.events.size() >= 2);
      cursor = client.cursor();
    }
    gateway.publish(topic, new JsonObject().put("n", 3)); // while the app is not running
    Recorder second = new Recorder();
    try (PushClient client = client(topic, Transport.SSE, cursor, second)) {
      client.connect();
      gateway.publish(topic, new JsonObject().put("n", 4));
      second.await("2 events", () -> second.events.size() >= 2);
      assertThat(second.ids()).containsExactly(3L, 4L);
      assertThat(second.resets).isEmpty();
    }
  }

  @Test
  void aCursorOlderThanHistoryGetsAReset() throws Exception {
    String topic = "java-reset";
    gateway.publishMany(topic, 12); // 8..12 kept
    Recorder recorder = new Recorder();
    try (PushClient client = client(topic, Transport.LONG, topic + ":2", recorder)) {
      client.connect();
      recorder.await("5 events", () -> recorder.events.size() >= 5);
      assertThat(recorder.resets).hasSize(1);
      assertThat(recorder.resets.get(0).from()).isEqualTo(8L);
      assertThat(recorder.ids()).containsExactlyElementsOf(range(8, 12));
    }
  }

  @Test
  void autoFallsBackWhenTheGatewayServesNoWebSocket() throws Exception {
    try (TestGateway noWs = TestGateway.start(new JsonObject().put("transports", "sse,long,short"))) {
      Recorder recorder = new Recorder();
      try (PushClient client = PushClient.builder(noWs.url()).topics("fallback").listener(recorder).build()) {
        client.connect();
        recorder.await("open on sse", () -> recorder.opens.contains(Transport.SSE));
        noWs.publish("fallback", new JsonObject().put("n", 1));
        recorder.await("1 event", () -> recorder.events.size() >= 1);
      }
    }
  }

  @Test
  void publishesAreAcknowledgedInBandOnWebSocketAndOverHttpOtherwise() throws Exception {
    for (Transport transport : List.of(Transport.WS, Transport.SHORT)) {
      String topic = "java-publish-" + transport.label();
      Recorder recorder = new Recorder();
      try (PushClient client = client(topic, transport, null, recorder)) {
        client.connect();
        recorder.await("open", () -> !recorder.opens.isEmpty());
        Published first = client.publish(topic, "{\"n\":1}").get(10, TimeUnit.SECONDS);
        Published second = client.publish(topic, "[1,2]").get(10, TimeUnit.SECONDS);
        assertThat(first.id()).isEqualTo(1L);
        assertThat(second.id()).isEqualTo(2L);
        recorder.await("own events", () -> recorder.events.size() >= 2);
        CompletableFuture<Published> refused = client.publish("bad topic", "1");
        assertThat(refused).failsWithin(10, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * The answer to a keyed publish is lost with its connection after the gateway stored the event:
   * the client sends it again with its key, over the connection it has then, and gets the first
   * event back as a duplicate; subscribers see it once. On WebSocket (the ack lost) and over HTTP.
   * A publish without a key gets one from the client, and the same.
   */
  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"WS", "SHORT"})
  void aKeyedPublishWhoseAnswerWasLostIsSentAgainAndStoredOnce(Transport transport) throws Exception {
    String topic = "java-keyed-" + transport.label();
    Recorder recorder = new Recorder();
    try (CuttingProxy proxy = CuttingProxy.start(gateway.vertx, gateway.port());
         PushClient client = open(lossyClient(proxy, topic, transport, recorder), recorder)) {
      proxy.loseNextAnswer(answerOf(transport));
      Published published = client.publish(topic, "{\"n\":1}", "order-1").get(20, TimeUnit.SECONDS);
      assertThat(proxy.lostAnswers()).as("the first answer was lost").isEqualTo(1);
      assertThat(published.id()).isEqualTo(1L);
      assertThat(published.duplicate()).as("the retry found the first try's event").isTrue();
      Published next = client.publish(topic, "{\"n\":2}", "order-2").get(20, TimeUnit.SECONDS);
      assertThat(next.id()).isEqualTo(2L);
      assertThat(next.duplicate()).isFalse();
      recorder.await("both events", () -> recorder.events.size() >= 2);
      assertThat(recorder.ids()).containsExactly(1L, 2L);
      assertThat(gateway.get("/api/topics/" + topic).json().getLong("lastId")).isEqualTo(2L);
      // without a key of the caller's, the client makes one
      proxy.loseNextAnswer(answerOf(transport));
      Published unkeyed = client.publish(topic, "{\"n\":3}").get(20, TimeUnit.SECONDS);
      assertThat(proxy.lostAnswers()).isEqualTo(2);
      assertThat(unkeyed.id()).isEqualTo(3L);
      assertThat(unkeyed.duplicate()).isTrue();
      assertThat(gateway.get("/api/topics/" + topic).json().getLong("lastId")).as("stored once").isEqualTo(3L);
    }
  }

  /**
   * A batch in one frame (WebSocket) or one request (HTTP): one result per event, in order, ids
   * per topic in the batch's order; an event the gateway refuses fails alone. Its answer lost, the
   * batch is sent again whole with the keys the client made, and each event is stored once.
   */
  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"WS", "SHORT"})
  void aBatchIsPublishedAtOnceWithAResultPerEventAndStoredOnceIfItsAnswerWasLost(Transport transport) throws Exception {
    String prices = "java-batch-prices-" + transport.label();
    String chat = "java-batch-chat-" + transport.label();
    Recorder recorder = new Recorder();
    try (CuttingProxy proxy = CuttingProxy.start(gateway.vertx, gateway.port());
         PushClient client = open(lossyClient(proxy, prices, transport, recorder), recorder)) {
      List<CompletableFuture<Published>> results = client.publishAll(List.of(Outgoing.of(prices, "{\"p\":1}"),
        Outgoing.of(chat, "\"hi\"").key("chat-1"), Outgoing.of("not a topic", "1"), Outgoing.of(prices, "{\"p\":2}")));
      assertThat(results.get(0).get(20, TimeUnit.SECONDS).id()).isEqualTo(1L);
      assertThat(results.get(1).get(20, TimeUnit.SECONDS).id()).isEqualTo(1L);
      assertThat(results.get(2)).failsWithin(5, TimeUnit.SECONDS).withThrowableThat()
        .havingCause().isInstanceOfSatisfying(PushException.class, e -> assertThat(e.code()).isEqualTo("invalid_topic"));
      assertThat(results.get(3).get(20, TimeUnit.SECONDS).id()).isEqualTo(2L);

      proxy.loseNextAnswer(transport == Transport.WS ? "\"op\":\"ack\"" : "HTTP/1.1 200");
      List<CompletableFuture<Published>> again = client.publishAll(List.of(Outgoing.of(prices, "{\"p\":3}"),
        Outgoing.of(chat, "\"there\"")));
      Published third = again.get(0).get(20, TimeUnit.SECONDS);
      assertThat(proxy.lostAnswers()).isEqualTo(1);
      assertThat(third.id()).isEqualTo(3L);
      assertThat(third.duplicate()).as("the batch was sent again, its keys found").isTrue();
      assertThat(again.get(1).get(20, TimeUnit.SECONDS).id()).isEqualTo(2L);
      recorder.await("the topic's events", () -> recorder.events.size() >= 3);
      assertThat(recorder.ids()).containsExactly(1L, 2L, 3L);
      assertThat(gateway.get("/api/topics/" + prices).json().getLong("lastId")).isEqualTo(3L);
      assertThat(gateway.get("/api/topics/" + chat).json().getLong("lastId")).isEqualTo(2L);
    }
  }

  /** With idempotent publishing off, a publish without a key is sent once: a lost answer is the caller's to handle. */
  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"WS", "SHORT"})
  void withoutIdempotentPublishingAnUnkeyedPublishIsNotSentAgain(Transport transport) throws Exception {
    String topic = "java-unkeyed-" + transport.label();
    Recorder recorder = new Recorder();
    try (CuttingProxy proxy = CuttingProxy.start(gateway.vertx, gateway.port());
         PushClient client = open(lossyClient(proxy, topic, transport, recorder).idempotentPublishing(false), recorder)) {
      proxy.loseNextAnswer(answerOf(transport));
      assertThat(client.publish(topic, "{\"n\":1}")).failsWithin(20, TimeUnit.SECONDS);
      assertThat(proxy.lostAnswers()).isEqualTo(1);
      assertThat(gateway.get("/api/topics/" + topic).json().getLong("lastId")).as("stored once, not sent again")
        .isEqualTo(1L);
    }
  }

  /** What the gateway's answer to a publish starts with: an ack frame on WebSocket, a 201 over HTTP. */
  private static String answerOf(Transport transport) {
    return transport == Transport.WS ? "\"op\":\"ack\"" : "HTTP/1.1 201";
  }

  /** The client built, connected, and once it is open. */
  private static PushClient open(PushClient.Builder builder, Recorder recorder) throws Exception {
    PushClient client = builder.build();
    client.connect();
    recorder.await("open", () -> !recorder.opens.isEmpty());
    return client;
  }

  /** A client through {@code proxy} that retries soon and gives up on an answer after 3 s. */
  private static PushClient.Builder lossyClient(CuttingProxy proxy, String topic, Transport transport, Recorder recorder) {
    return PushClient.builder(proxy.url()).topics(topic).transport(transport).pollInterval(Duration.ofMillis(200))
      .backoff(Duration.ofMillis(100), Duration.ofSeconds(2)).publishTimeout(Duration.ofSeconds(3)).listener(recorder);
  }

  /** A keyed publish waiting to be sent again is answered when the client closes, and so is one made after. */
  @Test
  void closingAnswersAPublishWaitingForItsRetry() throws Exception {
    int unreachable;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
      unreachable = free.getLocalPort();
    }
    PushClient client = PushClient.builder("http://127.0.0.1:" + unreachable).topics("nowhere")
      .transport(Transport.SHORT).backoff(Duration.ofSeconds(30), Duration.ofSeconds(30)).build();
    CompletableFuture<Published> waiting = client.publish("nowhere", "1", "k-1");
    assertThat(waiting).as("waits 30 s for its retry").isNotDone();
    client.close();
    assertThat(waiting).failsWithin(5, TimeUnit.SECONDS).withThrowableThat().withMessageContaining("closed");
    assertThat(client.publish("nowhere", "2", "k-2")).failsWithin(5, TimeUnit.SECONDS);
  }

  @Test
  void reconnectNowResumesAtOnceWithNothingLost() throws Exception {
    String topic = "java-reconnect";
    Recorder recorder = new Recorder();
    try (PushClient client = client(topic, Transport.WS, null, recorder)) {
      client.connect();
      recorder.await("open", () -> recorder.opens.size() == 1);
      gateway.publish(topic, new JsonObject().put("n", 1));
      recorder.await("1 event", () -> recorder.events.size() >= 1);
      client.reconnectNow();
      gateway.publish(topic, new JsonObject().put("n", 2));
      recorder.await("reopened", () -> recorder.opens.size() == 2, Duration.ofSeconds(5));
      gateway.publish(topic, new JsonObject().put("n", 3));
      recorder.await("3 events", () -> recorder.events.size() >= 3);
      assertThat(recorder.ids()).containsExactly(1L, 2L, 3L);
      assertThat(client.stats().reconnects).isEqualTo(1);
    }
  }
}
