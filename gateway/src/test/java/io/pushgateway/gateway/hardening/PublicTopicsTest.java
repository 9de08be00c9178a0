package io.pushgateway.gateway.hardening;

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
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code publicTopics} with auth on: anyone reads the public topics without a token, on every
 * transport and through the topic API, while everything else still needs one: a private topic
 * (alone or beside a public one), every publish, a presence name. A token that is sent is
 * checked all the same, and its bearer reads the public topics too.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PublicTopicsTest {

  private static final TestTokens tokens = TestTokens.inTempDir();
  @RegisterExtension
  static final TestGateway gateway = TestGateway.forAllTests(tokens,
    new JsonObject().put("publicTopics", "prices.*, scores").put("presenceNames", true));

  @ParameterizedTest(name = "{0}")
  @EnumSource(Transport.class)
  void anyoneFollowsAPublicTopicWithoutAToken(Transport transport) throws Exception {
    String topic = "prices." + transport.label();
    StreamClient client = StreamClient.create(transport, gateway.vertx, gateway.port()).open(topic + ",scores");
    try {
      gateway.publishAs(tokens.publisher(), topic, new JsonObject().put("n", 1));
      gateway.publishAs(tokens.publisher(), "scores", new JsonObject().put("n", 1));
      client.awaitEvents(2);
      assertThat(client.ids(topic)).containsExactly(1L);
    } finally {
      client.close();
    }
  }

  @Test
  void everythingElseStillNeedsAToken() throws Exception {
    gateway.publishAs(tokens.publisher(), "private.a", new JsonObject().put("n", 1));
    gateway.publishAs(tokens.publisher(), "prices.api", new JsonObject().put("n", 1));
    for (String path : List.of("/sse?topics=private.a", "/sse?topics=prices.api,private.a", "/poll?topics=private.a",
        "/poll/long?topics=prices.api,private.a", "/ws?topics=private.a", "/api/topics/private.a",
        "/api/topics/private.a/presence", "/sse?topics=pricesX")) {
      TestGateway.Reply reply = gateway.get(path);
      assertThat(reply.status()).as(path).isEqualTo(401);
      assertThat(reply.errorCode()).as(path).isEqualTo("unauthorized");
      assertThat(reply.headers().get("WWW-Authenticate")).as(path).startsWith("Bearer");
    }
    TestGateway.Reply publish = gateway.request(HttpMethod.POST, "/api/topics/prices.api/events",
      Buffer.buffer("{\"n\":2}"), "application/json");
    assertThat(publish.status()).isEqualTo(401);
    TestGateway.Reply batch = gateway.request(HttpMethod.POST, "/api/events", Buffer.buffer(new JsonObject()
      .put("events", new JsonArray().add(new JsonObject().put("topic", "prices.api").put("data", 2))).encode()),
      "application/json");
    assertThat(batch.status()).isEqualTo(401);
    assertThat(gateway.get("/poll?topics=prices.api&presence=1&name=ann").errorCode())
      .as("a made-up name could pass for a token's sub").isEqualTo("invalid_parameter");
    assertThat(gateway.get("/poll?topics=prices.api&cursor=prices.api:0").json().getJsonArray("events")).hasSize(1);
  }

  /** Spellings that could smuggle a private topic past the check: none reads it. */
  @ParameterizedTest
  @ValueSource(strings = {"/poll?topics=prices.x,private.s&cursor=private.s:0",
    "/poll?topics=prices.x%2Cprivate.s&cursor=private.s:0", "/poll?topics=prices.x,%20private.s&cursor=private.s:0",
    "/poll?topics=prices.x&topics=private.s&cursor=private.s:0", "/poll?topics=prices.x;topics=private.s",
    "/poll?TOPICS=private.s&topics=prices.x&cursor=private.s:0", "/poll?topics=prices.*&cursor=private.s:0",
    "/poll?topics=prices.x,,private.s&cursor=private.s:0", "/api/topics/prices.x/../private.s",
    "/api/topics/private.s?topics=prices.x", "/api/topics/prices%2Ex", "/api/topics?prefix=private",
    "/poll?topics=private.s&token=&cursor=private.s:0", "/sse?topics=private.s&cursor=private.s:0",
    "/api/topics/private.s/presence?topics=prices.x"})
  void noSpellingReadsAPrivateTopicWithoutAToken(String path) throws Exception {
    gateway.publishAs(tokens.publisher(), "private.s", new JsonObject().put("secret", true));
    gateway.publishAs(tokens.publisher(), "prices.x", new JsonObject().put("n", 1));
    TestGateway.Reply reply = gateway.get(path);
    assertThat(reply.body()).as(path).doesNotContain("secret");
    if (reply.status() == 200) {
      assertThat(reply.body()).as(path + ": served, but of public topics alone").doesNotContain("private.s");
    } else {
      assertThat(reply.status()).as(path).isIn(400, 401);
    }
  }

  @Test
  void theTopicApiShowsPublicTopicsAlone() throws Exception {
    gateway.publishAs(tokens.publisher(), "prices.listed", new JsonObject().put("n", 1));
    gateway.publishAs(tokens.publisher(), "private.listed", new JsonObject().put("n", 1));
    assertThat(gateway.get("/api/topics/prices.listed").json().getLong("lastId")).isEqualTo(1);
    JsonArray listed = gateway.get("/api/topics").json().getJsonArray("topics");
    assertThat(listed).contains("prices.listed").doesNotContain("private.listed");
  }

  @Test
  void anAnonymousWebSocketReadsPublicTopicsAndNothingElse() throws Exception {
    gateway.publishAs(tokens.publisher(), "prices.ws-later", new JsonObject().put("n", 1));
    WsClient client = (WsClient) StreamClient.create(Transport.WS, gateway.vertx, gateway.port()).open("scores");
    try {
      client.send(new JsonObject().put("op", "subscribe").put("topic", "private.ws").put("ref", "s1"));
      client.send(new JsonObject().put("op", "publish").put("topic", "prices.ws-later").put("data", 2).put("ref", "p1"));
      client.send(new JsonObject().put("op", "subscribe").put("topic", "prices.ws-later").put("after", 0)
        .put("ref", "s2"));
      client.awaitEvents(1);
      Eventually.check(gateway.vertx, () -> {
        assertThat(errorOf(client, "s1")).isEqualTo("unauthorized");
        assertThat(errorOf(client, "p1")).isEqualTo("unauthorized");
      });
      assertThat(client.ids("prices.ws-later")).containsExactly(1L);
      String token = tokens.sign("HS256", TestTokens.grants(new JsonArray().add("private.*"), new JsonArray()));
      client.send(new JsonObject().put("op", "auth").put("token", token).put("ref", "a1"));
      Eventually.check(gateway.vertx, () -> assertThat(errorOf(client, "a1"))
        .as("an anonymous connection stays anonymous").isEqualTo("forbidden"));
    } finally {
      client.close();
    }
  }

  @Test
  void aTokenIsCheckedOnPublicTopicsTooAndItsBearerReadsThem() throws Exception {
    assertThat(gateway.get("/poll?topics=scores&token=not-a-jwt").status()).isEqualTo(401);
    String token = tokens.sign("HS256", TestTokens.grants(new JsonArray().add("private.*"), new JsonArray()));
    gateway.publishAs(tokens.publisher(), "private.mine", new JsonObject().put("n", 1));
    gateway.publishAs(tokens.publisher(), "prices.mine", new JsonObject().put("n", 1));
    JsonObject both = gateway.get("/poll?topics=private.mine,prices.mine&cursor=private.mine:0,prices.mine:0&token="
      + token).json();
    assertThat(both.getJsonArray("events")).hasSize(2);
  }

  private static String errorOf(WsClient client, String ref) {
    return client.controls().stream().filter(c -> ref.equals(c.getString("ref")) && "error".equals(c.getString("op")))
      .map(c -> c.getString("code")).findFirst().orElse(null);
  }
}
