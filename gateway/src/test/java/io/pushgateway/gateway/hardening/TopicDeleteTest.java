package io.pushgateway.gateway.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.core.Transport;
import io.pushgateway.gateway.testing.StreamClient;
import io.pushgateway.gateway.testing.TestGateway;
import io.pushgateway.gateway.testing.TestGateway.Reply;
import io.pushgateway.gateway.testing.TestTokens;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code DELETE /api/topics/{topic}} with an administrator's token drops a topic's history: its
 * subscribers on every transport get a reset and then the new history's events, an old cursor gets
 * a reset, and ids start again at 1 under a new epoch. Nobody else may, and without auth the
 * endpoint does not exist.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TopicDeleteTest {

  private static final TestTokens tokens = TestTokens.inTempDir();
  /** Topics never idle out: each topic keeps the store's epoch until it is deleted. */
  @RegisterExtension
  static final TestGateway gateway = TestGateway.forAllTests(tokens, new JsonObject().put("topicIdleSeconds", 0));

  private static String reader() {
    return tokens.sign("HS256", new JsonObject().put("sub", "reader")
      .put("topics", new JsonObject().put("sub", new JsonArray().add("*")).put("pub", new JsonArray().add("*"))));
  }

  private static Reply delete(TestGateway on, String topic, String token) throws Exception {
    return token == null
      ? on.request(HttpMethod.DELETE, "/api/topics/" + topic, null, null)
      : on.request(HttpMethod.DELETE, "/api/topics/" + topic, null, null, "Authorization", "Bearer " + token);
  }

  private static String admin() {
    return tokens.sign("HS256", new JsonObject().put("sub", "ops").put("admin", true));
  }

  @Test
  void subscribersOfEveryTransportGetAResetAndTheNewHistory() throws Exception {
    String topic = "room.cleared";
    for (int i = 1; i <= 3; i++) {
      gateway.publishAs(tokens.publisher(), topic, new JsonObject().put("n", i));
    }
    String oldEpoch = gateway.get("/api/topics/" + topic + "?token=" + reader()).json().getString("epoch");
    List<StreamClient> clients = new ArrayList<>();
    try {
      for (Transport transport : Transport.values()) {
        clients.add(StreamClient.create(transport, gateway.vertx, gateway.port()).query("token=" + reader())
          .open(topic, topic + ":0"));
      }
      for (StreamClient client : clients) {
        client.awaitEvents(3);
      }

      assertThat(delete(gateway, topic, admin()).status()).isEqualTo(204);
      assertThat(gateway.get("/api/topics/" + topic + "?token=" + reader()).status()).isEqualTo(404);

      JsonObject first = gateway.publishAs(tokens.publisher(), topic, new JsonObject().put("n", "after"));
      assertThat(first.getLong("id")).isEqualTo(1);
      for (StreamClient client : clients) {
        client.awaitResets(1);
        List<JsonObject> events = client.awaitEvents(4);
        assertThat(events.stream().map(e -> e.getLong("id"))).containsExactly(1L, 2L, 3L, 1L);
        assertThat(client.cursor()).doesNotContain(oldEpoch + ",").doesNotEndWith(":" + oldEpoch);
      }
      JsonObject answer = gateway.get("/poll?topics=" + topic + "&cursor=" + topic + ":3:" + oldEpoch
        + "&token=" + reader()).json();
      assertThat(answer.getJsonArray("resets")).hasSize(1);
      assertThat(answer.getJsonArray("events").getJsonObject(0).getLong("id")).isEqualTo(1);
    } finally {
      for (StreamClient client : clients) {
        client.close();
      }
    }
  }

  @Test
  void onlyAnAdministratorDeletesAndWhatIsNotThereIsNamed() throws Exception {
    gateway.publishAs(tokens.publisher(), "room.kept", new JsonObject().put("n", 1));
    assertThat(delete(gateway, "room.kept", null).status()).isEqualTo(401);
    Reply refused = delete(gateway, "room.kept", reader());
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.errorCode()).isEqualTo("forbidden");
    assertThat(gateway.get("/api/topics/room.kept?token=" + reader()).json().getLong("lastId")).isEqualTo(1);

    Reply missing = delete(gateway, "room.never", admin());
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.errorCode()).isEqualTo("not_found");
    assertThat(delete(gateway, "bad%20name", admin()).status()).isEqualTo(400);
    assertThat(delete(gateway, "room.kept", admin()).status()).isEqualTo(204);
    assertThat(delete(gateway, "room.kept", admin()).status()).as("gone already").isEqualTo(404);
  }

  @Test
  void withoutAuthThereIsNoDelete() throws Exception {
    try (TestGateway open = TestGateway.start()) {
      open.publish("kept", new JsonObject().put("n", 1));
      Reply answer = delete(open, "kept", null);
      assertThat(answer.status()).isEqualTo(404);
      assertThat(open.get("/api/topics/kept").json().getLong("lastId")).isEqualTo(1);
    }
  }
}
