package io.pushgateway.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.Eventually;
import io.pushgateway.gateway.testing.StreamClient;
import io.pushgateway.gateway.testing.TestTokens;
import io.pushgateway.gateway.testing.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an administrator's token does reaches every node. A token revoked on one node is revoked on
 * every node: its WebSocket on another node closes with 1008 and its requests there are refused,
 * and a node that joins the cluster afterwards refuses it too, while other users' tokens keep
 * working. A topic deleted on one node starts a new history everywhere: a subscriber on another
 * node gets a reset and the new events.
 */
@Tag("cluster")
class ClusterAdminTest {

  @RegisterExtension
  static final GatewayCluster cluster = GatewayCluster.of(2, "revoke",
    "--set", "auth=true", "--set", "jwtHmacSecret=" + TestTokens.SECRET);
  private static final List<GatewayProcess> nodes = cluster.nodes();
  @TempDir
  static Path dir;
  private static Vertx vertx;
  private static HttpClient http;
  private static TestTokens tokens;

  @BeforeAll
  static void startClient() throws Exception {
    vertx = Vertx.vertx();
    http = vertx.createHttpClient();
    tokens = TestTokens.create(dir).bind(vertx);
  }

  @AfterAll
  static void stopClient() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static String token(String sub, JsonObject extra) {
    long now = System.currentTimeMillis() / 1000;
    return tokens.signRaw(extra.copy().put("sub", sub).put("iat", now - 30).put("exp", now + 600)
      .put("topics", new JsonObject().put("sub", new JsonArray().add("room.*")).put("pub", new JsonArray())));
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void aRevocationReachesEveryNodeAndNodesThatJoinLater() throws Exception {
    String ann = token("ann", new JsonObject());
    String bea = token("bea", new JsonObject());
    WsClient onB = new WsClient(vertx, nodes.get(1).port());
    onB.query("token=" + ann).open("room.a");
    try {
      String admin = token("ops", new JsonObject().put("admin", true));
      assertThat(request(nodes.get(0), HttpMethod.POST, "/api/revocations", admin,
        new JsonObject().put("sub", "ann").encode()).await(20, TimeUnit.SECONDS)).isEqualTo(200);

      Eventually.check(vertx, () -> {
        assertThat(onB.closeCode()).isEqualTo((short) 1008);
        assertThat(onB.closeReason()).isEqualTo("token revoked");
      });
      assertThat(poll(nodes.get(1), ann)).isEqualTo(401);
      assertThat(poll(nodes.get(1), bea)).isEqualTo(200);

      List<Integer> members = List.of(nodes.get(0).clusterPort, nodes.get(1).clusterPort, GatewayProcess.freePort());
      GatewayProcess joiner = cluster.add(GatewayProcess.start("revoke-c", members.get(2), members,
        "--set", "auth=true", "--set", "jwtHmacSecret=" + TestTokens.SECRET));
      joiner.awaitListening(GatewayCluster.START);
      assertThat(poll(joiner, ann)).isEqualTo(401);
      assertThat(poll(joiner, bea)).isEqualTo(200);
    } finally {
      onB.close();
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aTopicDeletedOnOneNodeStartsANewHistoryOnEvery() throws Exception {
    String topic = "room.cleared";
    String publisher = tokens.publisher();
    for (int i = 1; i <= 3; i++) {
      assertThat(request(nodes.get(0), HttpMethod.POST, "/api/topics/" + topic + "/events", publisher, "{}")
        .await(20, TimeUnit.SECONDS)).isEqualTo(201);
    }
    WsClient onB = new WsClient(vertx, nodes.get(1).port());
    onB.query("token=" + token("reader", new JsonObject())).open(topic, topic + ":0");
    try {
      onB.awaitEvents(3);
      String admin = token("ops", new JsonObject().put("admin", true));
      assertThat(request(nodes.get(0), HttpMethod.DELETE, "/api/topics/" + topic, admin, null)
        .await(20, TimeUnit.SECONDS)).isEqualTo(204);
      assertThat(request(nodes.get(1), HttpMethod.POST, "/api/topics/" + topic + "/events", publisher, "{}")
        .await(20, TimeUnit.SECONDS)).isEqualTo(201);
      onB.awaitResets(1);
      assertThat(onB.awaitEvents(4).stream().map(e -> e.getLong("id"))).containsExactly(1L, 2L, 3L, 1L);
    } finally {
      onB.close();
    }
  }

  private static int poll(GatewayProcess node, String token) throws Exception {
    return request(node, HttpMethod.GET, "/poll?topics=room.a", token, null).await(20, TimeUnit.SECONDS);
  }

  /** The status of {@code method uri} on {@code node} with the bearer {@code token} and a JSON body if any. */
  private static Future<Integer> request(GatewayProcess node, HttpMethod method, String uri, String token, String body) {
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(node.port())
      .setURI(uri).putHeader("Authorization", "Bearer " + token).putHeader("Content-Type", "application/json");
    return StreamClient.onContext(vertx.getOrCreateContext(), () -> http.request(options)
      .compose(r -> body == null ? r.send() : r.send(Buffer.buffer(body)))
      .compose(r -> r.body().map(answer -> r.statusCode())));
  }
}
