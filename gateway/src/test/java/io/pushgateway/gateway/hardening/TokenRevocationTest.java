package io.pushgateway.gateway.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.Eventually;
import io.pushgateway.gateway.testing.KeepAliveHttp;
import io.pushgateway.gateway.testing.SseClient;
import io.pushgateway.gateway.testing.TestGateway;
import io.pushgateway.gateway.testing.TestGateway.Reply;
import io.pushgateway.gateway.testing.TestTokens;
import io.pushgateway.gateway.testing.WsClient;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

/**
 * {@code POST /api/revocations}: an administrator's token ends a user's tokens, or one token,
 * before their {@code exp}. What the revoked tokens hold open ends at once on every transport
 * (WebSocket 1008 "token revoked", the SSE stream ends, a waiting long poll gets 401), every
 * later request with them is refused, a WebSocket cannot take one in a refresh, and everyone
 * else is served as before.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TokenRevocationTest {

  private static final String SHORTCUTS = "pushgateway_long_poll_shortcuts_total";

  private static final TestTokens tokens = TestTokens.inTempDir();
  @RegisterExtension
  static final TestGateway gateway = TestGateway.forAllTests(tokens, new JsonObject().put("revocationSeconds", 3600));

  /** A token of {@code sub} for {@code room.*}, issued {@code ageSeconds} ago, with {@code jti} if not null. */
  private static String token(String sub, long ageSeconds, String jti) {
    long now = System.currentTimeMillis() / 1000;
    JsonObject claims = new JsonObject().put("sub", sub).put("iat", now - ageSeconds).put("exp", now + 600)
      .put("topics", new JsonObject().put("sub", new JsonArray().add("room.*")).put("pub", new JsonArray().add("room.*")));
    if (jti != null) {
      claims.put("jti", jti);
    }
    return tokens.signRaw(claims);
  }

  private static String admin() {
    long now = System.currentTimeMillis() / 1000;
    return tokens.signRaw(new JsonObject().put("sub", "ops").put("admin", true).put("exp", now + 600));
  }

  private static Reply revoke(String token, Object body) throws Exception {
    String text = body instanceof JsonObject json ? json.encode() : String.valueOf(body);
    return token == null
      ? gateway.request(HttpMethod.POST, "/api/revocations", Buffer.buffer(text), "application/json")
      : gateway.request(HttpMethod.POST, "/api/revocations", Buffer.buffer(text), "application/json",
        "Authorization", "Bearer " + token);
  }

  @Test
  void onlyAnAdministratorRevokesAndABadRevocationIsNamed() throws Exception {
    JsonObject ann = new JsonObject().put("sub", "nobody-in-particular");
    assertThat(revoke(null, ann).status()).isEqualTo(401);
    Reply user = revoke(token("dee", 0, null), ann);
    assertThat(user.status()).isEqualTo(403);
    assertThat(user.errorCode()).isEqualTo("forbidden");
    String notAdmin = tokens.signRaw(new JsonObject().put("sub", "ops").put("admin", "true")
      .put("exp", System.currentTimeMillis() / 1000 + 600));
    assertThat(revoke(notAdmin, ann).status()).as("admin must be the JSON true").isEqualTo(403);

    long now = System.currentTimeMillis() / 1000;
    for (Object bad : new Object[] {
      new JsonObject(),
      new JsonObject().put("sub", "a").put("jti", "b"),
      new JsonObject().put("user", "a"),
      new JsonObject().put("sub", ""),
      new JsonObject().put("sub", 7),
      new JsonObject().put("sub", "a".repeat(1025)),
      new JsonObject().put("jti", "b").put("issuedBefore", now),
      new JsonObject().put("sub", "a").put("until", now - 1),
      new JsonObject().put("sub", "a").put("until", "soon"),
      new JsonObject().put("sub", "a").put("issuedBefore", 1.5)}) {
      Reply refused = revoke(admin(), bad);
      assertThat(refused.status()).as(bad.toString()).isEqualTo(400);
      assertThat(refused.errorCode()).as(bad.toString()).isEqualTo("invalid_parameter");
    }
    Reply notJson = gateway.request(HttpMethod.POST, "/api/revocations", Buffer.buffer("sub=a"), "text/plain",
      "Authorization", "Bearer " + admin());
    assertThat(notJson.errorCode()).isEqualTo("invalid_parameter");
    assertThat(notJson.json().getJsonObject("error").getString("message")).isEqualTo("Content-Type must be application/json");
    assertThat(revoke(admin(), "{\"sub\":").errorCode()).isEqualTo("invalid_json");
    assertThat(revoke(admin(), "[1]").errorCode()).isEqualTo("invalid_json");
    assertThat(revoke(admin(), "x".repeat(5000)).status()).isEqualTo(413);

    double kept = gateway.scrape().value("pushgateway_revocations");
    Reply done = revoke(admin(), new JsonObject().put("sub", "nobody-in-particular"));
    assertThat(done.status()).isEqualTo(200);
    assertThat(gateway.scrape().value("pushgateway_revocations")).isEqualTo(kept + 1);
    assertThat(done.json().getString("sub")).isEqualTo("nobody-in-particular");
    assertThat(done.json().getLong("issuedBefore")).isBetween(now, now + 5);
    assertThat(done.json().getLong("until")).isBetween(now + 3600, now + 3605);
  }

  @Test
  void revokingAUserEndsItsStreamsAndPollsAndRefusesItsTokensOnly() throws Exception {
    String old = token("ann", 30, null);
    WsClient ws = new WsClient(gateway.vertx, gateway.port());
    ws.query("token=" + old).open("room.a");
    SseClient sse = new SseClient(gateway.vertx, gateway.port());
    sse.query("token=" + old).open("room.a", "room.a:0");
    WsClient bystander = new WsClient(gateway.vertx, gateway.port());
    bystander.query("token=" + token("bea", 30, null)).open("room.a");
    try {
      Future<Reply> waiting = gateway.getAsync("/poll/long?topics=room.a&cursor=room.a:0&timeout=30&token=" + old);
      Eventually.check(gateway.vertx, () -> assertThat(gateway.gateway.subscriberCounts()
        .get("room.a", io.pushgateway.gateway.core.Transport.LONG)).isEqualTo(1));

      assertThat(revoke(admin(), new JsonObject().put("sub", "ann")).status()).isEqualTo(200);

      Reply answered = waiting.await(10, TimeUnit.SECONDS);
      assertThat(answered.status()).isEqualTo(401);
      assertThat(answered.errorCode()).isEqualTo("unauthorized");
      Eventually.check(gateway.vertx, () -> {
        assertThat(ws.closeCode()).isEqualTo((short) 1008);
        assertThat(ws.closeReason()).isEqualTo("token revoked");
        assertThat(sse.ended()).isTrue();
      });
      for (String uri : new String[] {"/poll?topics=room.a&cursor=room.a:0", "/sse?topics=room.a",
        "/ws?topics=room.a", "/api/topics/room.a"}) {
        Reply refused = gateway.get(uri + (uri.contains("?") ? "&" : "?") + "token=" + old);
        assertThat(refused.status()).as(uri).isEqualTo(401);
        assertThat(refused.json().getJsonObject("error").getString("message")).as(uri).contains("revoked");
      }
      assertThat(gateway.request(HttpMethod.POST, "/api/topics/room.a/events", Buffer.buffer("{}"), "application/json",
        "Authorization", "Bearer " + old).status()).isEqualTo(401);

      // a token issued from the revocation's second on is not revoked: the user may come back
      WsClient back = new WsClient(gateway.vertx, gateway.port());
      back.query("token=" + token("ann", 0, null)).open("room.a");
      gateway.publishAs(tokens.publisher(), "room.a", new JsonObject().put("n", 1));
      back.awaitEvents(1);
      bystander.awaitEvents(1);
      assertThat(bystander.closeCode()).isNull();
      back.close();
    } finally {
      ws.close();
      sse.close();
      bystander.close();
    }
  }

  @Test
  void revokingOneTokenLeavesTheUsersOtherTokens() throws Exception {
    WsClient first = new WsClient(gateway.vertx, gateway.port());
    first.query("token=" + token("cal", 30, "cal-1")).open("room.c");
    WsClient second = new WsClient(gateway.vertx, gateway.port());
    second.query("token=" + token("cal", 30, "cal-2")).open("room.c");
    try {
      Reply done = revoke(admin(), new JsonObject().put("jti", "cal-1"));
      assertThat(done.json().getString("jti")).isEqualTo("cal-1");
      Eventually.check(gateway.vertx, () -> assertThat(first.closeCode()).isEqualTo((short) 1008));
      gateway.publishAs(tokens.publisher(), "room.c", new JsonObject().put("n", 1));
      second.awaitEvents(1);
      assertThat(second.closeCode()).isNull();
      assertThat(gateway.get("/poll?topics=room.c&token=" + token("cal", 30, "cal-1")).status()).isEqualTo(401);
      assertThat(gateway.get("/poll?topics=room.c&token=" + token("cal", 30, "cal-2")).status()).isEqualTo(200);
    } finally {
      first.close();
      second.close();
    }
  }

  @Test
  void aConnectionCannotRefreshToARevokedToken() throws Exception {
    WsClient ws = new WsClient(gateway.vertx, gateway.port());
    ws.query("token=" + token("dan", 30, "dan-1")).open("room.d");
    try {
      revoke(admin(), new JsonObject().put("jti", "dan-2"));
      ws.send(new JsonObject().put("op", "auth").put("token", token("dan", 0, "dan-2")).put("ref", "r"));
      Eventually.check(gateway.vertx, () -> assertThat(ws.controls())
        .anyMatch(f -> "error".equals(f.getString("op")) && "r".equals(f.getString("ref"))
          && "unauthorized".equals(f.getString("code"))));
      // refused, nothing changed: the first token still serves
      gateway.publishAs(tokens.publisher(), "room.d", new JsonObject().put("n", 1));
      ws.awaitEvents(1);
      assertThat(ws.closeCode()).isNull();
      // and a connection that refreshed follows its new token: revoking the old one leaves it open
      ws.send(new JsonObject().put("op", "auth").put("token", token("dan", 0, "dan-3")).put("ref", "fresh"));
      Eventually.check(gateway.vertx, () -> assertThat(ws.controls())
        .anyMatch(f -> "authenticated".equals(f.getString("op")) && "fresh".equals(f.getString("ref"))));
      revoke(admin(), new JsonObject().put("jti", "dan-1"));
      revoke(admin(), new JsonObject().put("jti", "dan-3"));
      Eventually.check(gateway.vertx, () -> assertThat(ws.closeCode()).isEqualTo((short) 1008));
    } finally {
      ws.close();
    }
  }

  @Test
  void revocationsAreBoundedAndForgottenWhenTheirTimeIsOver() throws Exception {
    try (TestGateway small = TestGateway.start(tokens.gatewayConfig().put("maxRevocations", 2))) {
      long now = System.currentTimeMillis() / 1000;
      String admin = admin();
      java.util.function.Function<JsonObject, Reply> revoke = body -> {
        try {
          return small.request(HttpMethod.POST, "/api/revocations", Buffer.buffer(body.encode()), "application/json",
            "Authorization", "Bearer " + admin);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      };
      assertThat(revoke.apply(new JsonObject().put("sub", "one").put("until", now + 2)).status()).isEqualTo(200);
      assertThat(revoke.apply(new JsonObject().put("jti", "two").put("until", now + 3600)).status()).isEqualTo(200);
      Reply full = revoke.apply(new JsonObject().put("sub", "three"));
      assertThat(full.status()).isEqualTo(503);
      assertThat(full.errorCode()).isEqualTo("overloaded");
      // the same sub again widens what is kept, and takes no room
      Reply again = revoke.apply(new JsonObject().put("sub", "one").put("until", now + 3));
      assertThat(again.status()).isEqualTo(200);
      assertThat(again.json().getLong("until")).isEqualTo(now + 3);
      // once "one" is over, its room is free again
      Eventually.check(small.vertx, () -> assertThat(revoke.apply(new JsonObject().put("sub", "three")).status())
        .isEqualTo(200));
      assertThat(small.scrape().value("pushgateway_revocations")).isEqualTo(2);
    }
  }

  @Test
  void aRevokedTokensRePollsAreRefusedOnAKeptAliveConnection() throws Exception {
    String token = token("eve", 30, null);
    String bearer = "Authorization: Bearer " + token;
    try (KeepAliveHttp http = new KeepAliveHttp(gateway.port())) {
      String cursor = http.exchange(KeepAliveHttp.get("/poll/long?topics=room.e", bearer)).json().getString("cursor");
      String rePoll = KeepAliveHttp.get("/poll/long?topics=room.e&timeout=1&cursor=" + cursor, bearer);
      // the first sets the shortcut up, the second is approved as its template: the next are taken below Vert.x
      assertThat(http.exchange(rePoll).status()).isEqualTo(200);
      assertThat(http.exchange(rePoll).status()).isEqualTo(200);
      double shortcuts = gateway.scrape().value(SHORTCUTS);
      revoke(admin(), new JsonObject().put("sub", "eve"));
      KeepAliveHttp.Answer refused = http.exchange(rePoll);
      assertThat(refused.status()).isEqualTo(401);
      assertThat(refused.body()).contains("revoked");
      assertThat(gateway.scrape().value(SHORTCUTS) - shortcuts).as("refused on the shortcut").isEqualTo(1);
    }
  }
}
