package io.pushgateway.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.core.Transport;
import io.pushgateway.gateway.testing.Eventually;
import io.pushgateway.gateway.testing.StreamClient;
import io.pushgateway.gateway.testing.TestGateway;
import io.pushgateway.gateway.testing.TestTokens;
import io.pushgateway.gateway.testing.WsClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Batch publishing, {@code POST /api/events} and the WebSocket {@code publish} op with
 * {@code events}: one result per event, in order; a bad event is refused alone; each topic's
 * events get their ids in the batch's order and reach subscribers of every transport so.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BatchPublishTest {

  @TempDir
  static Path dir;

  @RegisterExtension
  static final TestGateway gateway = TestGateway.forAllTests(new JsonObject().put("maxBatchEvents", 50).put("maxBatchBytes", 4096)
      .put("maxPayloadBytes", 100));

  private static TestGateway.Reply batch(TestGateway on, Object body, String... headers) throws Exception {
    return on.request(HttpMethod.POST, "/api/events", Buffer.buffer(body.toString()), "application/json", headers);
  }

  private static JsonObject event(String topic, Object data) {
    return new JsonObject().put("topic", topic).put("data", data);
  }

  @Test
  void oneResultPerEventInOrderAndABadEventIsRefusedAlone() throws Exception {
    JsonArray events = new JsonArray()
      .add(event("batch.a", 1))
      .add(event("-bad", 2))
      .add(event("batch.b", new JsonObject().put("x", "y")))
      .add(new JsonObject().put("topic", "batch.a"))
      .add(event("batch.a", "z".repeat(200)))
      .add(event("batch.a", 3));
    TestGateway.Reply reply = batch(gateway, new JsonObject().put("events", events));
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    JsonArray results = reply.json().getJsonArray("results");
    assertThat(results).hasSize(6);
    assertThat(results.getJsonObject(0).getLong("id")).isEqualTo(1L);
    assertThat(results.getJsonObject(1).getJsonObject("error").getString("code")).isEqualTo("invalid_topic");
    assertThat(results.getJsonObject(2).getLong("id")).isEqualTo(1L);
    assertThat(results.getJsonObject(3).getJsonObject("error").getString("code")).isEqualTo("invalid_parameter");
    assertThat(results.getJsonObject(4).getJsonObject("error").getString("code")).isEqualTo("payload_too_large");
    assertThat(results.getJsonObject(5).getLong("id")).isEqualTo(2L);
    assertThat(results.getJsonObject(5).getString("topic")).isEqualTo("batch.a");
  }

  @Test
  void everyTransportSeesABatchInItsOrder() throws Exception {
    List<StreamClient> clients = new java.util.ArrayList<>();
    for (Transport t : Transport.values()) {
      clients.add(StreamClient.create(t, gateway.vertx, gateway.port()).open("ordered", "ordered:0"));
    }
    try {
      JsonArray events = new JsonArray();
      IntStream.rangeClosed(1, 40).forEach(n -> events.add(event("ordered", new JsonObject().put("n", n))));
      assertThat(batch(gateway, new JsonObject().put("events", events)).status()).isEqualTo(200);
      for (StreamClient client : clients) {
        List<JsonObject> received = client.awaitEvents(40);
        assertThat(received).extracting(e -> e.getJsonObject("data").getInteger("n"))
          .as(client.getClass().getSimpleName()).containsExactlyElementsOf(IntStream.rangeClosed(1, 40).boxed().toList());
        assertThat(client.ids("ordered")).containsExactlyElementsOf(
          IntStream.rangeClosed(1, 40).mapToObj(Long::valueOf).toList());
      }
    } finally {
      for (StreamClient client : clients) {
        client.close();
      }
    }
  }

  /** Batches and single publishes sent one after another on a socket keep that order, as single publishes do. */
  @Test
  void consecutiveBatchesOnASocketKeepTheirOrder() throws Exception {
    WsClient subscriber = new WsClient(gateway.vertx, gateway.port()).open("in.turn");
    WsClient publisher = new WsClient(gateway.vertx, gateway.port()).open("other");
    try {
      int n = 0;
      for (int frame = 0; frame < 10; frame++) {
        JsonArray events = new JsonArray();
        for (int i = 0; i < 20; i++) {
          events.add(event("in.turn", new JsonObject().put("n", ++n)));
        }
        publisher.send(new JsonObject().put("op", "publish").put("events", events));
        publisher.send(new JsonObject().put("op", "publish").put("topic", "in.turn")
          .put("data", new JsonObject().put("n", ++n)));
      }
      List<JsonObject> received = subscriber.awaitEvents(n);
      assertThat(received).extracting(e -> e.getJsonObject("data").getInteger("n"))
        .containsExactlyElementsOf(IntStream.rangeClosed(1, n).boxed().toList());
    } finally {
      subscriber.close();
      publisher.close();
    }
  }

  @Test
  void aWebSocketPublishesABatchWithOneAck() throws Exception {
    WsClient ws = new WsClient(gateway.vertx, gateway.port()).open("ws.batch");
    try {
      ws.send(new JsonObject().put("op", "publish").put("ref", "b1")
        .put("events", new JsonArray().add(event("ws.batch", 1)).add(event("ws.batch", 2)).add(event("x y", 3))));
      Eventually.check(gateway.vertx, () -> assertThat(ws.controls()).anyMatch(f -> "b1".equals(f.getString("ref"))
        && "ack".equals(f.getString("op")) && f.getJsonArray("results").size() == 3));
      JsonArray results = ws.controls().stream().filter(f -> "b1".equals(f.getString("ref"))).findFirst().orElseThrow()
        .getJsonArray("results");
      assertThat(results.getJsonObject(0).getLong("id")).isEqualTo(1L);
      assertThat(results.getJsonObject(1).getLong("id")).isEqualTo(2L);
      assertThat(results.getJsonObject(2).getJsonObject("error").getString("code")).isEqualTo("invalid_topic");
      assertThat(ws.awaitEvents(2)).extracting(e -> e.getInteger("data")).containsExactly(1, 2);
      // a frame that is no batch at all is one error
      ws.send(new JsonObject().put("op", "publish").put("ref", "b2").put("events", "nope"));
      Eventually.check(gateway.vertx, () -> assertThat(ws.controls()).anyMatch(f -> "b2".equals(f.getString("ref"))
        && "error".equals(f.getString("op")) && "invalid_parameter".equals(f.getString("code"))));
      // events mean something only to a publish: another op carrying a bad one is served
      ws.send(new JsonObject().put("op", "ping").put("ref", "b3").put("events", "nope"));
      Eventually.check(gateway.vertx, () -> assertThat(ws.controls()).anyMatch(f -> "b3".equals(f.getString("ref"))
        && "pong".equals(f.getString("op"))));
    } finally {
      ws.close();
    }
  }

  /** Each event's data travels as written in the batch, re-encoded only when it has a line break. */
  @Test
  void eachEventsDataTravelsAsSent() throws Exception {
    String body = "{\"events\": [ {\"topic\":\"batch.sent\", \"data\": {\"b\": [1, 2.50],  \"a\":\"x y\"}},"
      + " {\"data\":{\n\"lines\": 2\n}, \"topic\":\"batch.sent\"}, {\"topic\":\"batch.sent\",\"data\":\"\\u00e9\"} ] }";
    TestGateway.Reply reply = batch(gateway, body);
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    String answer = gateway.get("/poll?topics=batch.sent&cursor=batch.sent:0").body();
    assertThat(answer).contains("\"data\":{\"b\": [1, 2.50],  \"a\":\"x y\"}", "\"data\":{\"lines\":2}", "\"data\":\"é\"");
  }

  @Test
  void badBatchesAreRefusedWhole() throws Exception {
    JsonArray tooMany = new JsonArray();
    IntStream.range(0, 51).forEach(n -> tooMany.add(event("t", n)));
    for (Object body : List.<Object>of(new JsonObject().put("events", tooMany), new JsonObject().put("events", new JsonArray()),
      new JsonObject().put("events", new JsonArray().add(5)), new JsonArray().add(event("t", 1)), new JsonObject())) {
      TestGateway.Reply reply = batch(gateway, body);
      assertThat(reply.status()).as(body.toString()).isEqualTo(400);
      assertThat(reply.errorCode()).isEqualTo("invalid_parameter");
    }
    assertThat(batch(gateway, "{\"events\":[").errorCode()).isEqualTo("invalid_json");
    // the batch is read in the body's one pass: a wrong shape before broken JSON is still broken JSON
    assertThat(batch(gateway, "{\"events\":5, \"x\":}").errorCode()).isEqualTo("invalid_json");
    assertThat(batch(gateway, "{\"events\":[5]} []").errorCode()).isEqualTo("invalid_json");
    // a repeated member: the last one counts, either way
    assertThat(batch(gateway, "{\"events\":[{\"topic\":\"t\",\"data\":1}], \"events\":7}").errorCode())
      .isEqualTo("invalid_parameter");
    TestGateway.Reply last = batch(gateway, "{\"events\":7, \"events\":[{\"topic\":\"batch.last\",\"data\":1}]}");
    assertThat(last.status()).as(last.body()).isEqualTo(200);
    assertThat(last.json().getJsonArray("results").getJsonObject(0).getLong("id")).isEqualTo(1L);
    TestGateway.Reply big = batch(gateway, new JsonObject().put("events", new JsonArray().add(event("t", "x".repeat(5000)))));
    assertThat(big.status()).isEqualTo(413);
    assertThat(big.body()).contains("4096");
  }

  @Test
  void withAuthEachEventNeedsItsOwnPublishGrant() throws Exception {
    TestTokens tokens = TestTokens.create(dir);
    try (TestGateway secured = TestGateway.start(tokens.gatewayConfig())) {
      tokens.bind(secured.vertx);
      String token = tokens.sign("HS256", TestTokens.grants(new JsonArray(), new JsonArray().add("mine.*")));
      TestGateway.Reply reply = batch(secured, new JsonObject().put("events",
        new JsonArray().add(event("mine.a", 1)).add(event("theirs.a", 2))), "Authorization", "Bearer " + token);
      assertThat(reply.status()).isEqualTo(200);
      JsonArray results = reply.json().getJsonArray("results");
      assertThat(results.getJsonObject(0).getLong("id")).isEqualTo(1L);
      assertThat(results.getJsonObject(1).getJsonObject("error").getString("code")).isEqualTo("forbidden");
      assertThat(batch(secured, new JsonObject().put("events", new JsonArray().add(event("mine.a", 1)))).status())
        .isEqualTo(401);
    }
  }
}
