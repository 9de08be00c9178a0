package io.pushgateway.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.core.Transport;
import io.pushgateway.gateway.testing.Eventually;
import io.pushgateway.gateway.testing.StreamClient;
import io.pushgateway.gateway.testing.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code historyRules}: topics matching a rule keep its count and age, every other topic the
 * defaults, each topic the first rule it matches; what a topic keeps is what every read of it
 * gets, and what {@code GET /api/topics/{t}} reports.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HistoryRulesTest {

  @RegisterExtension
  static final TestGateway gateway = TestGateway.forAllTests(new JsonObject().put("instances", 1)
    .put("historySize", 10).put("historyRules", "chat.*=3, *.audit=50, aged.*=10/1"));

  @Test
  void aRuleKeepsItsTopicsCountAndOtherTopicsTheDefault() throws Exception {
    gateway.publishMany("chat.lobby", 12);
    gateway.publishMany("news", 12);

    assertThat(ids(gateway.get("/poll?topics=chat.lobby&cursor=chat.lobby:0").json())).containsExactly(10L, 11L, 12L);
    assertThat(ids(gateway.get("/poll?topics=news&cursor=news:0").json())).hasSize(10).startsWith(3L).endsWith(12L);
    JsonObject chat = gateway.get("/api/topics/chat.lobby").json();
    assertThat(chat.getLong("oldestId")).isEqualTo(10);
    assertThat(chat.getJsonObject("history")).isEqualTo(new JsonObject().put("events", 3).put("maxAgeSeconds", 0));
    assertThat(gateway.get("/api/topics/news").json().getJsonObject("history"))
      .isEqualTo(new JsonObject().put("events", 10).put("maxAgeSeconds", 0));
  }

  @Test
  void theFirstRuleATopicMatchesIsItsOwn() throws Exception {
    gateway.publishMany("chat.audit", 5);
    gateway.publishMany("billing.audit", 20);

    assertThat(ids(gateway.get("/poll?topics=chat.audit&cursor=chat.audit:0").json())).containsExactly(3L, 4L, 5L);
    assertThat(ids(gateway.get("/poll?topics=billing.audit&cursor=billing.audit:0").json())).hasSize(20);
    assertThat(gateway.get("/api/topics/billing.audit").json().getJsonObject("history").getInteger("events"))
      .isEqualTo(50);
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aCursorOlderThanTheRulesHistoryGetsAResetOnEveryTransport(Transport transport) throws Exception {
    String topic = "chat.resume-" + transport.label();
    gateway.publish(topic, 1);
    String afterFirst = gateway.get("/poll?topics=" + topic).json().getString("cursor");
    gateway.publishMany(topic, 5); // ids 2..6: 4..6 kept

    StreamClient client = StreamClient.create(transport, gateway.vertx, gateway.port()).open(topic, afterFirst);
    try {
      client.awaitEvents(3);
      assertThat(client.ids(topic)).containsExactly(4L, 5L, 6L);
      assertThat(client.resets()).hasSize(1);
      assertThat(client.resets().get(0).getLong("from")).isEqualTo(4);
    } finally {
      client.close();
    }
  }

  @Test
  void aRulesAgeDropsOnlyItsOwnTopicsOldEvents() throws Exception {
    gateway.publish("aged.quote", 1);
    gateway.publish("kept.quote", 1);

    Eventually.check(gateway.vertx, () -> assertThat(gateway.get("/poll?topics=aged.quote&cursor=aged.quote:0").json()
      .getJsonArray("events")).as("the event older than the rule's second").isEmpty());
    assertThat(ids(gateway.get("/poll?topics=kept.quote&cursor=kept.quote:0").json())).containsExactly(1L);
    assertThat(gateway.get("/api/topics/aged.quote").json().getJsonObject("history"))
      .isEqualTo(new JsonObject().put("events", 10).put("maxAgeSeconds", 1));
  }

  private static List<Long> ids(JsonObject answer) {
    JsonArray events = answer.getJsonArray("events");
    return events.stream().map(e -> ((JsonObject) e).getLong("id")).toList();
  }
}
