package io.pushgateway.gateway.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.TestGateway;
import io.pushgateway.gateway.testing.TestTokens;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * push-client.js with tokens that expire every 4 s, on each transport, while events flow at
 * 10 per second for 14 s: every event arrives once and in order, the client refreshes its token
 * through {@code getToken} several times, and a WebSocket never reconnects for it (the refresh
 * goes in band); revoked, its token is replaced the same way. Without {@code getToken}, a refused
 * token ends the client with one {@code unauthorized} event instead of a retry storm.
 */
@Tag("browser")
class TokenRefreshBrowserTest {

  private static final int EVENTS = 140;
  private static final List<String> TRANSPORTS = List.of("ws", "sse", "long", "short");

  @TempDir
  static Path dir;

  private static TestGateway gateway;
  private static TestTokens tokens;
  private static HttpServer tokenServer;
  private static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    Browser.requireChromium();
    tokens = TestTokens.create(dir);
    gateway = TestGateway.start(tokens.gatewayConfig());
    tokens.bind(gateway.vertx);
    // the application's token endpoint: a fresh 4-second token on every call
    tokenServer = TestTokens.endpoint(gateway.vertx, TokenRefreshBrowserTest::shortToken);
    browser = Browser.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.close();
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  private static String shortToken() {
    return tokens.signRaw(new JsonObject().put("sub", "reader").put("exp", System.currentTimeMillis() / 1000 + 4)
      .put("topics", new JsonObject().put("sub", new JsonArray().add("feed.*")).put("pub", new JsonArray())));
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyTransportKeepsEveryEventAcrossTokenRefreshes() throws Exception {
    browser.open(gateway.url() + "/");
    browser.js("""
      window.runs = {};
      for (const t of arguments[0]) {
        const run = { ids: [], opens: 0, unauthorized: 0 };
        const client = new PushClient('', { topics: ['feed.' + t], transport: t, token: arguments[1],
          getToken: () => fetch(arguments[2]).then((r) => r.text()) });
        client.addEventListener('open', () => run.opens++);
        client.addEventListener('unauthorized', () => run.unauthorized++);
        client.onmessage = (e) => run.ids.push(e.data.id);
        run.client = client;
        window.runs[t] = run;
      }
      """, TRANSPORTS, shortToken(), "http://127.0.0.1:" + tokenServer.actualPort() + "/token");
    browser.awaitJs("every transport open",
      "return arguments[0].every((t) => window.runs[t].client.readyState === 1)", TRANSPORTS);

    String publisher = tokens.publisher();
    for (int i = 1; i <= EVENTS; i++) {
      for (String t : TRANSPORTS) {
        gateway.publishAs(publisher, "feed." + t, new JsonObject().put("n", i));
      }
      gateway.vertx.timer(100).await(5, TimeUnit.SECONDS); // 10 events per second and topic
    }
    browser.awaitJs("every event on every transport",
      "return arguments[0].every((t) => window.runs[t].ids.length >= arguments[1])", TRANSPORTS, EVENTS);

    Map<String, Object> runs = (Map<String, Object>) browser.js("""
      const out = {};
      for (const t of Object.keys(window.runs)) {
        const r = window.runs[t];
        out[t] = { ids: r.ids, opens: r.opens, unauthorized: r.unauthorized,
          refreshes: r.client.stats.refreshes, reconnects: r.client.stats.reconnects };
        r.client.close();
      }
      return out;
      """);
    List<Long> expected = LongStream.rangeClosed(1, EVENTS).boxed().toList();
    for (String t : TRANSPORTS) {
      Map<String, Object> run = (Map<String, Object>) runs.get(t);
      assertThat((List<Long>) run.get("ids")).as(t + ": once each, in order").containsExactlyElementsOf(expected);
      assertThat((Long) run.get("refreshes")).as(t + " refreshes").isGreaterThanOrEqualTo(3);
      assertThat((Long) run.get("unauthorized")).as(t).isZero();
    }
    Map<String, Object> ws = (Map<String, Object>) runs.get("ws");
    assertThat((Long) ws.get("opens")).as("the WebSocket never reconnected for a refresh").isEqualTo(1);
    assertThat((Long) ws.get("reconnects")).isZero();
  }

  /** A token of {@code revokee} for {@code feed.*}, issued {@code ageSeconds} ago, good for ten minutes. */
  private static String revokeeToken(long ageSeconds) {
    long now = System.currentTimeMillis() / 1000;
    return tokens.signRaw(new JsonObject().put("sub", "revokee").put("iat", now - ageSeconds).put("exp", now + 600)
      .put("topics", new JsonObject().put("sub", new JsonArray().add("feed.*")).put("pub", new JsonArray())));
  }

  /**
   * The user's tokens revoked mid-stream: every transport's connection ends (WebSocket 1008 "token
   * revoked", the SSE stream, a poll's 401), the client asks {@code getToken} for one issued after
   * the revocation and goes on from its cursor: every event once, in order, no {@code unauthorized}.
   */
  @Test
  @SuppressWarnings("unchecked")
  void everyTransportReplacesARevokedTokenAndKeepsEveryEvent() throws Exception {
    HttpServer fresh = TestTokens.endpoint(gateway.vertx, () -> revokeeToken(0));
    try {
      browser.open(gateway.url() + "/");
      browser.js("""
        window.revoked = {};
        for (const t of arguments[0]) {
          const run = { ids: [], unauthorized: 0 };
          const client = new PushClient('', { topics: ['feed.revoked-' + t], transport: t, token: arguments[1],
            getToken: () => fetch(arguments[2]).then((r) => r.text()) });
          client.addEventListener('unauthorized', () => run.unauthorized++);
          client.onmessage = (e) => run.ids.push(e.data.id);
          run.client = client;
          window.revoked[t] = run;
        }
        """, TRANSPORTS, revokeeToken(30), "http://127.0.0.1:" + fresh.actualPort() + "/token");
      browser.awaitJs("every transport open",
        "return arguments[0].every((t) => window.revoked[t].client.readyState === 1)", TRANSPORTS);
      String publisher = tokens.publisher();
      String admin = tokens.signRaw(new JsonObject().put("sub", "ops").put("admin", true)
        .put("exp", System.currentTimeMillis() / 1000 + 600));
      for (int i = 1; i <= 6; i++) {
        if (i == 4) {
          browser.awaitJs("the first three events",
            "return arguments[0].every((t) => window.revoked[t].ids.length >= 3)", TRANSPORTS);
          assertThat(gateway.request(io.vertx.core.http.HttpMethod.POST, "/api/revocations",
            io.vertx.core.buffer.Buffer.buffer(new JsonObject().put("sub", "revokee").encode()), "application/json",
            "Authorization", "Bearer " + admin).status()).isEqualTo(200);
        }
        for (String t : TRANSPORTS) {
          gateway.publishAs(publisher, "feed.revoked-" + t, new JsonObject().put("n", i));
        }
      }
      browser.awaitJs("every event on every transport",
        "return arguments[0].every((t) => window.revoked[t].ids.length >= 6)", TRANSPORTS);
      Map<String, Object> runs = (Map<String, Object>) browser.js("""
        const out = {};
        for (const t of Object.keys(window.revoked)) {
          const r = window.revoked[t];
          out[t] = { ids: r.ids, unauthorized: r.unauthorized, refreshes: r.client.stats.refreshes };
          r.client.close();
        }
        return out;
        """);
      for (String t : TRANSPORTS) {
        Map<String, Object> run = (Map<String, Object>) runs.get(t);
        assertThat((List<Long>) run.get("ids")).as(t + ": once each, in order").containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat((Long) run.get("refreshes")).as(t + " refreshes").isPositive();
        assertThat((Long) run.get("unauthorized")).as(t).isZero();
      }
    } finally {
      fresh.close();
    }
  }

  @Test
  void withoutGetTokenARefusedTokenEndsTheClientOnce() throws Exception {
    browser.open(gateway.url() + "/");
    String expired = tokens.signRaw(new JsonObject().put("sub", "late").put("exp", System.currentTimeMillis() / 1000 - 5)
      .put("topics", new JsonObject().put("sub", new JsonArray().add("feed.*"))));
    browser.js("""
      window.late = { unauthorized: 0, closes: 0 };
      const client = new PushClient('', { topics: ['feed.late'], transport: 'long', token: arguments[0] });
      client.addEventListener('unauthorized', () => window.late.unauthorized++);
      client.addEventListener('close', () => window.late.closes++);
      window.late.client = client;
      """, expired);
    browser.awaitJs("the client gave up", "return window.late.closes === 1");
    // no retries: the request count stays where the refusal left it
    Object requests = browser.js("return window.late.client.stats.requests");
    gateway.vertx.timer(1500).await(5, TimeUnit.SECONDS);
    assertThat(browser.js("return window.late.client.stats.requests")).isEqualTo(requests);
    assertThat(browser.js("return window.late.unauthorized")).isEqualTo(1L);
    assertThat(browser.js("return window.late.client.readyState")).isEqualTo(3L);
  }
}
