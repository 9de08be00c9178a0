package io.pushgateway.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.Eventually;
import io.pushgateway.gateway.testing.TestGateway;
import io.pushgateway.gateway.testing.WsClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * HTTP and WebSocket publishes pass the same rule: the same data size is the largest accepted on
 * both, one byte more is {@code payload_too_large} on both, a bad topic {@code invalid_topic}, and
 * a refused publish stores nothing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PublishRuleTest {

  private static final int LIMIT = 2048;

  @RegisterExtension
  static final TestGateway gateway = TestGateway.forAllTests(new JsonObject().put("maxPayloadBytes", LIMIT));

  /** A JSON string of exactly {@code bytes} bytes, quotes included. */
  private static String data(int bytes) {
    return "\"" + "x".repeat(bytes - 2) + "\"";
  }

  @Test
  void theLargestDataAcceptedIsTheSameOverHttpAndWebSocket() throws Exception {
    assertThat(http("rule.http", data(LIMIT)).status()).isEqualTo(201);
    assertThat(http("rule.http", data(LIMIT + 1)).errorCode()).isEqualTo("payload_too_large");
    assertThat(http("rule-bad!", data(10)).errorCode()).isEqualTo("invalid_topic");

    WsClient ws = new WsClient(gateway.vertx, gateway.port()).open("rule.ws");
    try {
      ws.send(publish("rule.ws", data(LIMIT), "fits"));
      ws.send(publish("rule.ws", data(LIMIT + 1), "over"));
      Eventually.check(gateway.vertx, () -> assertThat(ws.controls())
        .anyMatch(c -> "fits".equals(c.getString("ref")) && "ack".equals(c.getString("op")))
        .anyMatch(c -> "over".equals(c.getString("ref")) && "error".equals(c.getString("op"))
          && "payload_too_large".equals(c.getString("code"))));
    } finally {
      ws.close();
    }
    // one stored on each path, nothing of the refused ones
    assertThat(gateway.get("/api/topics/rule.http").json().getLong("lastId")).isEqualTo(1);
    assertThat(gateway.get("/api/topics/rule.ws").json().getLong("lastId")).isEqualTo(1);
  }

  private static TestGateway.Reply http(String topic, String body) throws Exception {
    return gateway.request(HttpMethod.POST, "/api/topics/" + topic + "/events", Buffer.buffer(body), "application/json");
  }

  private static JsonObject publish(String topic, String dataJson, String ref) {
    return new JsonObject().put("op", "publish").put("topic", topic)
      .put("data", new JsonObject("{\"d\":" + dataJson + "}").getValue("d")).put("ref", ref);
  }
}
