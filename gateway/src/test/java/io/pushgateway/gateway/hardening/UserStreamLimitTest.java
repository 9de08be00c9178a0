package io.pushgateway.gateway.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.core.Transport;
import io.pushgateway.gateway.testing.Eventually;
import io.pushgateway.gateway.testing.SseClient;
import io.pushgateway.gateway.testing.StreamClient;
import io.pushgateway.gateway.testing.TestGateway;
import io.pushgateway.gateway.testing.TestTokens;
import io.vertx.core.Future;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

/**
 * {@code maxConnectionsPerUser}: one token {@code sub} holds at most that many WebSockets and SSE
 * streams; the next is refused with 503 {@code overloaded} (a WebSocket before its upgrade), other
 * users and anonymous readers of public topics are not counted with it, and every stream that
 * closes gives its place back, however it closed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UserStreamLimitTest {

  private static final TestTokens tokens = TestTokens.inTempDir();
  @RegisterExtension
  static final TestGateway gateway = TestGateway.forAllTests(tokens,
    new JsonObject().put("maxConnectionsPerUser", 2).put("publicTopics", "open.*"));
  private static WebSocketClient ws;

  @BeforeAll
  static void start() throws Exception {
    ws = gateway.vertx.createWebSocketClient();
  }

  private static String tokenOf(String sub) {
    return tokens.sign("HS256", new JsonObject().put("sub", sub)
      .put("topics", new JsonObject().put("sub", new JsonArray().add("*")).put("pub", new JsonArray())));
  }

  private static StreamClient stream(Transport transport, String token, String topic) throws Exception {
    return StreamClient.create(transport, gateway.vertx, gateway.port())
      .query(token == null ? "x=1" : "token=" + token).open(topic);
  }

  @Test
  void aUserHoldsAtMostItsStreamsOthersAreNotCountedWithIt() throws Exception {
    String ann = tokenOf("ann");
    List<StreamClient> open = new ArrayList<>();
    try {
      open.add(stream(Transport.WS, ann, "limit.a"));
      open.add(stream(Transport.SSE, ann, "limit.a"));

      TestGateway.Reply third = gateway.get("/sse?topics=limit.a&token=" + ann);
      assertThat(third.status()).isEqualTo(503);
      assertThat(third.errorCode()).isEqualTo("overloaded");
      assertThat(upgradeStatus("/ws?topics=limit.a&token=" + ann)).as("refused before the upgrade").isEqualTo(503);
      assertThat(gateway.get("/poll?topics=limit.a&token=" + ann).status()).as("polls hold no stream").isEqualTo(200);

      String bob = tokenOf("bob");
      open.add(stream(Transport.WS, bob, "limit.a"));
      open.add(stream(Transport.SSE, bob, "limit.a"));
      for (int i = 0; i < 3; i++) {
        open.add(stream(Transport.SSE, null, "open.feed")); // anonymous: the per-address limits bound these
      }
      gateway.publishAs(tokens.publisher(), "limit.a", new JsonObject().put("n", 1));
      gateway.publishAs(tokens.publisher(), "open.feed", new JsonObject().put("n", 1));
      for (StreamClient client : open) {
        client.awaitEvents(1);
      }
    } finally {
      for (StreamClient client : open) {
        client.close();
      }
    }
  }

  @Test
  void everyClosedStreamGivesItsPlaceBack() throws Exception {
    String cy = tokenOf("cy");
    for (int round = 0; round < 10; round++) {
      StreamClient first = stream(round % 2 == 0 ? Transport.WS : Transport.SSE, cy, "limit.b");
      StreamClient second = openOnceFree(round % 2 == 0 ? Transport.SSE : Transport.WS, cy, "limit.b");
      first.close();
      second.close();
    }
    // a stream whose upgrade or start was refused held nothing either
    StreamClient first = openOnceFree(Transport.WS, cy, "limit.b");
    StreamClient second = openOnceFree(Transport.SSE, cy, "limit.b");
    assertThat(gateway.get("/sse?topics=limit.b&token=" + cy).status()).isEqualTo(503);
    first.close();
    second.close();
  }

  /**
   * Opens a stream, trying again until the gateway has seen the user's earlier streams close (a
   * close reaches it a little after the client's); each refused try must hold nothing.
   */
  private static StreamClient openOnceFree(Transport transport, String token, String topic) throws Exception {
    StreamClient[] opened = new StreamClient[1];
    Eventually.check(gateway.vertx, () -> {
      StreamClient client = StreamClient.create(transport, gateway.vertx, gateway.port()).query("token=" + token);
      try {
        client.open(topic);
      } catch (Exception refusedUpgrade) {
        client.close();
        throw new AssertionError("not open yet", refusedUpgrade);
      }
      if (client instanceof SseClient sse && sse.status() != 200) {
        client.close();
        throw new AssertionError("SSE answered " + sse.status());
      }
      opened[0] = client;
    });
    return opened[0];
  }

  private static int upgradeStatus(String uri) throws Exception {
    return ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port()).setURI(uri))
      .compose(socket -> socket.close().map(101))
      .recover(e -> Future.succeededFuture(e instanceof UpgradeRejectedException u ? u.getStatus() : -1))
      .await(10, TimeUnit.SECONDS);
  }
}
