package io.pushgateway.gateway.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.Eventually;
import io.pushgateway.gateway.testing.TestGateway;
import io.pushgateway.gateway.testing.TestTokens;
import io.pushgateway.gateway.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

/**
 * A WebSocket refreshes its token in band ({@code {"op":"auth","token":…}}): the connection
 * outlives the first token and keeps receiving; a refresh that changes who it is, drops one of
 * its topics, or is not a valid token is refused and changes nothing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TokenRefreshTest {

  private static final TestTokens tokens = TestTokens.inTempDir();
  @RegisterExtension
  static final TestGateway gateway = TestGateway.forAllTests(tokens, new JsonObject());

  private static String token(String sub, String topicPattern, long lifetimeSeconds) {
    return tokens.signRaw(new JsonObject().put("sub", sub)
      .put("exp", System.currentTimeMillis() / 1000 + lifetimeSeconds)
      .put("topics", new JsonObject().put("sub", new JsonArray().add(topicPattern)).put("pub", new JsonArray())));
  }

  @Test
  void aRefreshedConnectionOutlivesItsFirstTokenWithoutReconnecting() throws Exception {
    WsClient ws = new WsClient(gateway.vertx, gateway.port());
    ws.query("token=" + token("ann", "feed.*", 2)).open("feed.a");
    try {
      ws.send(new JsonObject().put("op", "auth").put("token", token("ann", "feed.*", 60)).put("ref", "r1"));
      Eventually.check(gateway.vertx, () -> assertThat(ws.controls())
        .anyMatch(f -> "authenticated".equals(f.getString("op")) && "r1".equals(f.getString("ref"))
          && f.getLong("exp") > System.currentTimeMillis() / 1000 + 30));
      // past the first token's exp (2 s, whole seconds): still open, still delivering
      gateway.vertx.timer(3_500).await(10, TimeUnit.SECONDS);
      publish("feed.a");
      ws.awaitEvents(1);
      assertThat(ws.closeCode()).isNull();
      assertThat(ws.socket().isClosed()).isFalse();
    } finally {
      ws.close();
    }
  }

  @Test
  void withoutARefreshTheConnectionClosesAtItsTokensExpiry() throws Exception {
    WsClient ws = new WsClient(gateway.vertx, gateway.port());
    ws.query("token=" + token("bob", "feed.*", 2)).open("feed.b");
    Eventually.check(gateway.vertx, () -> assertThat(ws.closeCode()).isEqualTo((short) 1008));
    ws.close();
  }

  @Test
  void refreshesThatChangeWhoItIsOrWhatItMayFollowAreRefused() throws Exception {
    WsClient ws = new WsClient(gateway.vertx, gateway.port());
    ws.query("token=" + token("cid", "feed.*", 60)).open("feed.c");
    try {
      ws.send(new JsonObject().put("op", "auth").put("token", token("mallory", "feed.*", 60)).put("ref", "sub"));
      ws.send(new JsonObject().put("op", "auth").put("token", token("cid", "other.*", 60)).put("ref", "grant"));
      ws.send(new JsonObject().put("op", "auth").put("token", "not.a.jwt").put("ref", "bad"));
      ws.send(new JsonObject().put("op", "auth").put("token", token("cid", "feed.*", -10)).put("ref", "expired"));
      ws.send(new JsonObject().put("op", "auth").put("ref", "none"));
      Eventually.check(gateway.vertx, () -> {
        assertThat(code(ws, "sub")).isEqualTo("forbidden");
        assertThat(code(ws, "grant")).isEqualTo("forbidden");
        assertThat(code(ws, "bad")).isEqualTo("unauthorized");
        assertThat(code(ws, "expired")).isEqualTo("unauthorized");
        assertThat(code(ws, "none")).isEqualTo("invalid_parameter");
      });
      // nothing changed: the connection still serves its topic
      publish("feed.c");
      ws.awaitEvents(1);
      assertThat(ws.closeCode()).isNull();
    } finally {
      ws.close();
    }
  }

  @Test
  void withAuthOffTheOpIsRefused() throws Exception {
    try (TestGateway open = TestGateway.start()) {
      WsClient ws = new WsClient(open.vertx, open.port()).open("x");
      ws.send(new JsonObject().put("op", "auth").put("token", "t").put("ref", "a"));
      Eventually.check(open.vertx, () -> assertThat(code(ws, "a")).isEqualTo("invalid_parameter"));
      ws.close();
    }
  }

  private static void publish(String topic) throws Exception {
    gateway.publishAs(tokens.publisher(), topic, new JsonObject().put("n", 1));
  }

  private static String code(WsClient ws, String ref) {
    return ws.controls().stream().filter(f -> ref.equals(f.getString("ref")) && "error".equals(f.getString("op")))
      .map(f -> f.getString("code")).findFirst().orElse(null);
  }
}
