package io.pushgateway.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.Eventually;
import io.pushgateway.gateway.testing.RawHttp;
import io.pushgateway.gateway.testing.Scrape;
import io.pushgateway.gateway.testing.SseClient;
import io.pushgateway.gateway.testing.TestGateway;
import io.pushgateway.gateway.testing.WsClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Idempotent publishing on every way in: an {@code Idempotency-Key} header on {@code POST
 * /api/topics/{t}/events} (JSON or binary), a {@code key} per event of a batch, a {@code key} on the
 * WebSocket {@code publish} op (JSON or a binary announce). A publish retried with its key gets the
 * event its first try stored, marked {@code "duplicate":true}, and subscribers get that event once;
 * the key with other data is refused ({@code 422 key_conflict}); a malformed key is refused and
 * stores nothing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IdempotentPublishTest {

  @RegisterExtension
  static final TestGateway gateway = TestGateway.forAllTests();

  private static TestGateway.Reply publish(String topic, String body, String... headers) throws Exception {
    return gateway.request(HttpMethod.POST, "/api/topics/" + topic + "/events", Buffer.buffer(body), "application/json",
      headers);
  }

  @Test
  void anHttpPublishRetriedWithItsKeyIsStoredAndDeliveredOnce() throws Exception {
    String topic = "keyed.http";
    SseClient sse = new SseClient(gateway.vertx, gateway.port()).open(topic, topic + ":0");
    WsClient ws = new WsClient(gateway.vertx, gateway.port()).open(topic, topic + ":0");
    try {
      Scrape before = Scrape.of(gateway.vertx, gateway.http, gateway.port());
      TestGateway.Reply first = publish(topic, "{\"p\":1}", "Idempotency-Key", "order-17");
      assertThat(first.status()).as(first.body()).isEqualTo(201);
      assertThat(first.json().getLong("id")).isEqualTo(1);
      assertThat(first.json().containsKey("duplicate")).isFalse();

      TestGateway.Reply retry = publish(topic, "{\"p\":1}", "Idempotency-Key", "order-17");
      assertThat(retry.status()).as(retry.body()).isEqualTo(201);
      assertThat(retry.json()).isEqualTo(first.json().copy().put("duplicate", true));

      TestGateway.Reply reused = publish(topic, "{\"p\":2}", "Idempotency-Key", "order-17");
      assertThat(reused.status()).isEqualTo(422);
      assertThat(reused.errorCode()).isEqualTo("key_conflict");

      assertThat(publish(topic, "{\"p\":2}", "Idempotency-Key", "order-18").json().getLong("id")).isEqualTo(2);
      assertThat(publish(topic, "{\"p\":3}").json().getLong("id")).isEqualTo(3);
      // the unkeyed event comes last: once it is there, any copy of the others would be too
      for (List<JsonObject> received : List.of(sse.awaitEvents(3), ws.awaitEvents(3))) {
        assertThat(received).extracting(e -> e.getLong("id") + ":" + e.getJsonObject("data").getInteger("p"))
          .containsExactly("1:1", "2:2", "3:3");
      }
      assertThat(gateway.get("/api/topics/" + topic).json().getLong("lastId")).isEqualTo(3);
      Scrape after = Scrape.of(gateway.vertx, gateway.http, gateway.port());
      assertThat(after.value("pushgateway_publishes_repeated_total")
        - before.value("pushgateway_publishes_repeated_total")).isEqualTo(1);
      assertThat(after.value("pushgateway_events_published_total")
        - before.value("pushgateway_events_published_total")).as("a repeat is not published again").isEqualTo(3);
    } finally {
      sse.close();
      ws.close();
    }
  }

  /**
   * On a topic whose history is short (2 events here), a retry whose event already left is still
   * answered with it: the key is remembered for the key window, with the event's id and time.
   */
  @Test
  void aRetryAfterItsEventLeftTheHistoryIsStillAnsweredWithIt() throws Exception {
    TestGateway shortHistory = TestGateway.start(new JsonObject().put("historySize", 2));
    try {
      String path = "/api/topics/hot/events";
      TestGateway.Reply first = shortHistory.request(HttpMethod.POST, path, Buffer.buffer("{\"p\":1}"),
        "application/json", "Idempotency-Key", "k-1");
      for (int i = 2; i <= 4; i++) {
        shortHistory.request(HttpMethod.POST, path, Buffer.buffer("{\"p\":" + i + "}"), "application/json");
      }
      assertThat(shortHistory.get("/api/topics/hot").json().getLong("oldestId")).as("event 1 left").isEqualTo(3);
      TestGateway.Reply retry = shortHistory.request(HttpMethod.POST, path, Buffer.buffer("{\"p\":1}"),
        "application/json", "Idempotency-Key", "k-1");
      assertThat(retry.status()).as(retry.body()).isEqualTo(201);
      assertThat(retry.json()).isEqualTo(first.json().copy().put("duplicate", true));
      TestGateway.Reply reused = shortHistory.request(HttpMethod.POST, path, Buffer.buffer("{\"p\":9}"),
        "application/json", "Idempotency-Key", "k-1");
      assertThat(reused.errorCode()).isEqualTo("key_conflict");
      assertThat(shortHistory.get("/api/topics/hot").json().getLong("lastId")).as("nothing stored").isEqualTo(4);
    } finally {
      shortHistory.close();
    }
  }

  @Test
  void keysAreTopicsOwnAndABinaryPublishNamesItsBytesAndType() throws Exception {
    assertThat(publish("keyed.a", "1", "Idempotency-Key", "same").json().getLong("id")).isEqualTo(1);
    TestGateway.Reply otherTopic = publish("keyed.b", "1", "Idempotency-Key", "same");
    assertThat(otherTopic.json().getLong("id")).isEqualTo(1);
    assertThat(otherTopic.json().containsKey("duplicate")).as("another topic's key is another key").isFalse();

    Buffer png = Buffer.buffer(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
    TestGateway.Reply image = gateway.request(HttpMethod.POST, "/api/topics/keyed.bin/events", png, "image/png",
      "Idempotency-Key", "img-1");
    assertThat(image.status()).as(image.body()).isEqualTo(201);
    TestGateway.Reply again = gateway.request(HttpMethod.POST, "/api/topics/keyed.bin/events", png, "image/png",
      "Idempotency-Key", "img-1");
    assertThat(again.json().getBoolean("duplicate")).isTrue();
    assertThat(again.json().getLong("id")).isEqualTo(image.json().getLong("id"));
    TestGateway.Reply otherType = gateway.request(HttpMethod.POST, "/api/topics/keyed.bin/events", png, "image/gif",
      "Idempotency-Key", "img-1");
    assertThat(otherType.errorCode()).isEqualTo("key_conflict");
  }

  @Test
  void aMalformedKeyIsRefusedAndStoresNothing() throws Exception {
    String topic = "keyed.bad";
    for (String key : List.of("two words", "x".repeat(129), "tab\there", "caf\u00e9")) {
      TestGateway.Reply reply = publish(topic, "1", "Idempotency-Key", key);
      assertThat(reply.status()).as("key '%s'", key).isEqualTo(400);
      assertThat(reply.errorCode()).isEqualTo("invalid_parameter");
    }
    // as sent on the wire: an empty header (HTTP clients leave it out), a header given twice
    for (String[] lines : List.of(new String[] {"Idempotency-Key:"}, new String[] {"Idempotency-Key:   "},
      new String[] {"Idempotency-Key: a", "idempotency-key: b"})) {
      try (RawHttp raw = new RawHttp(gateway.vertx, gateway.port())) {
        RawHttp.Reply reply = raw.send("POST", "/api/topics/" + topic + "/events", "1", lines);
        assertThat(reply.status()).as(String.join(", ", lines)).isEqualTo(400);
        assertThat(reply.errorCode()).isEqualTo("invalid_parameter");
      }
    }
    assertThat(gateway.get("/api/topics/" + topic).status()).as("nothing was stored").isEqualTo(404);
    TestGateway.Reply longest = publish(topic, "1", "Idempotency-Key", "k".repeat(128));
    assertThat(longest.status()).as(longest.body()).isEqualTo(201);
  }

  @Test
  void aBatchNamesEachEventAndAnswersEachRepeat() throws Exception {
    String topic = "keyed.batch";
    JsonArray events = new JsonArray()
      .add(new JsonObject().put("topic", topic).put("data", 1).put("key", "b1"))
      .add(new JsonObject().put("topic", topic).put("data", 2))
      .add(new JsonObject().put("topic", topic).put("data", 1).put("key", "b1"))
      .add(new JsonObject().put("topic", topic).put("data", 9).put("key", "b1"))
      .add(new JsonObject().put("topic", topic).put("data", 3).put("key", 5))
      .add(new JsonObject().put("topic", topic).put("data", 4).put("key", null));
    TestGateway.Reply reply = gateway.request(HttpMethod.POST, "/api/events",
      Buffer.buffer(new JsonObject().put("events", events).encode()), "application/json");
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    JsonArray results = reply.json().getJsonArray("results");
    assertThat(results.getJsonObject(0).getLong("id")).isEqualTo(1);
    assertThat(results.getJsonObject(1).getLong("id")).isEqualTo(2);
    assertThat(results.getJsonObject(2)).isEqualTo(results.getJsonObject(0).copy().put("duplicate", true));
    assertThat(results.getJsonObject(3).getJsonObject("error").getString("code")).isEqualTo("key_conflict");
    assertThat(results.getJsonObject(4).getJsonObject("error").getString("code")).isEqualTo("invalid_parameter");
    assertThat(results.getJsonObject(5).getLong("id")).as("a null key is no key").isEqualTo(3);
    // the batch sent again, as after a lost answer: every keyed event is a repeat
    JsonArray retried = gateway.request(HttpMethod.POST, "/api/events",
      Buffer.buffer(new JsonObject().put("events", new JsonArray().add(events.getValue(0))).encode()), "application/json")
      .json().getJsonArray("results");
    assertThat(retried.getJsonObject(0).getBoolean("duplicate")).isTrue();
    assertThat(gateway.get("/api/topics/" + topic).json().getLong("lastId")).isEqualTo(3);
  }

  /** A publisher whose connection dropped before its ack sends the publish again on its next one. */
  @Test
  void aWebSocketPublishResentOnANewConnectionIsAckedAsTheFirst() throws Exception {
    String topic = "keyed.ws";
    WsClient subscriber = new WsClient(gateway.vertx, gateway.port()).open(topic, topic + ":0");
    WsClient first = new WsClient(gateway.vertx, gateway.port()).open("other");
    WsClient second = new WsClient(gateway.vertx, gateway.port()).open("other");
    try {
      JsonObject publish = new JsonObject().put("op", "publish").put("topic", topic).put("data", "hi").put("key", "m-1");
      first.send(publish.copy().put("ref", "a"));
      JsonObject ack = awaitControl(first, "a");
      assertThat(ack.getString("op")).isEqualTo("ack");
      assertThat(ack.getLong("id")).isEqualTo(1);
      assertThat(ack.containsKey("duplicate")).isFalse();
      first.close();

      second.send(publish.copy().put("ref", "b"));
      JsonObject again = awaitControl(second, "b");
      assertThat(again.getString("op")).isEqualTo("ack");
      assertThat(again.getLong("id")).isEqualTo(1);
      assertThat(again.getBoolean("duplicate")).isTrue();

      second.send(publish.copy().put("data", "other").put("ref", "c"));
      assertThat(awaitControl(second, "c").getString("code")).isEqualTo("key_conflict");
      second.send(publish.copy().put("key", 7).put("ref", "d"));
      assertThat(awaitControl(second, "d").getString("code")).isEqualTo("invalid_parameter");
      second.send(publish.copy().put("key", "").put("ref", "e"));
      assertThat(awaitControl(second, "e").getString("code")).isEqualTo("invalid_parameter");

      // binary: the announce carries the key
      byte[] bytes = {1, 2, 3};
      for (String ref : List.of("bin1", "bin2")) {
        second.send(new JsonObject().put("op", "publish").put("topic", topic).put("contentType", "application/octet-stream")
          .put("bytes", bytes.length).put("key", "blob-1").put("ref", ref));
        second.socket().writeBinaryMessage(Buffer.buffer(bytes)).await(10, TimeUnit.SECONDS);
      }
      assertThat(awaitControl(second, "bin1").getLong("id")).isEqualTo(2);
      assertThat(awaitControl(second, "bin2").getBoolean("duplicate")).isTrue();
      second.send(new JsonObject().put("op", "publish").put("topic", topic).put("data", "last").put("ref", "z"));
      assertThat(awaitControl(second, "z").getLong("id")).isEqualTo(3);
      assertThat(subscriber.awaitEvents(3)).extracting(e -> e.getLong("id")).containsExactly(1L, 2L, 3L);
      assertThat(second.closeCode()).isNull();
    } finally {
      subscriber.close();
      second.close();
    }
  }

  private static JsonObject awaitControl(WsClient client, String ref) throws Exception {
    Eventually.check(gateway.vertx, () -> assertThat(client.controls()).anyMatch(f -> ref.equals(f.getString("ref"))));
    return client.controls().stream().filter(f -> ref.equals(f.getString("ref"))).findFirst().orElseThrow();
  }
}
