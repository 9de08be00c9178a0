package io.pushgateway.gateway.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.CuttingProxy;
import io.pushgateway.gateway.testing.Eventually;
import io.pushgateway.gateway.testing.TestGateway;
import io.pushgateway.gateway.testing.TestTokens;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * What a phone's network does to push-client.js, for 60 s at 10 events per second: a proxy that
 * cuts every link every 5 s, a phase of 15 s in which WebSocket upgrades are refused (the client
 * falls back, then comes back), and tokens that expire every 5 s. Every client (auto and each
 * transport forced) gets every event once and in order, refreshes its token at least ten times,
 * never loses its WebSocket to a refresh, and reconnects well within a second of a cut.
 */
@Tag("browser")
class MobileScenarioBrowserTest {

  private static final int SECONDS = 60;
  private static final int RATE = 10;
  private static final List<String> CLIENTS = List.of("auto", "ws", "sse", "long", "short");

  @TempDir
  static Path dir;

  private static TestGateway gateway;
  private static TestTokens tokens;
  private static HttpServer tokenServer;
  private static CuttingProxy proxy;
  private static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    Browser.requireChromium();
    tokens = TestTokens.create(dir);
    gateway = TestGateway.start(tokens.gatewayConfig());
    tokens.bind(gateway.vertx);
    tokenServer = TestTokens.endpoint(gateway.vertx, () -> token(5));
    proxy = CuttingProxy.start(gateway.vertx, gateway.port());
    browser = Browser.start();
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {browser, proxy, gateway}) {
      if (c != null) {
        c.close();
      }
    }
  }

  private static String token(int lifetimeSeconds) {
    return tokens.signRaw(new JsonObject().put("sub", "phone")
      .put("exp", System.currentTimeMillis() / 1000 + lifetimeSeconds)
      .put("topics", new JsonObject().put("sub", new JsonArray().add("scenario.*")).put("pub", new JsonArray())));
  }

  /**
   * A refresh that lands while the WebSocket is still opening has no connection to go to; the
   * connection, opened with the old token, gets the new one as soon as it is open, so it is not
   * closed when the old one expires.
   */
  @Test
  void aTokenRefreshedWhileTheWebSocketOpensIsHandedToItOnceOpen() throws Exception {
    browser.open(proxy.url() + "/");
    String first = token(4);
    long firstExpiresAt = System.currentTimeMillis() / 1000 * 1000 + 4000;
    // long-lived new tokens: no refresh of its own comes before the first token's end
    HttpServer longTokens = TestTokens.endpoint(gateway.vertx, () -> token(60));
    proxy.holdWebSockets(true);
    try {
      browser.js("""
        window.held = { opens: 0, drops: 0, ids: [] };
        const client = new PushClient('', { topics: ['scenario.held'], transport: 'ws', token: arguments[0],
          getToken: () => fetch(arguments[1]).then((r) => r.text()) });
        client.addEventListener('open', () => window.held.opens++);
        client.addEventListener('disconnect', () => window.held.drops++);
        client.onmessage = (e) => window.held.ids.push(e.data.id);
        window.held.client = client;
        """, first, "http://127.0.0.1:" + longTokens.actualPort() + "/");
      Eventually.check(gateway.vertx, () -> assertThat(proxy.heldWebSockets()).as("handshakes held").isEqualTo(1));
      browser.js("return window.held.client.refreshToken()");
      proxy.holdWebSockets(false);
      browser.awaitJs("open", "return window.held.opens === 1");
      // the first token's end, when the gateway closes a connection still holding it
      Eventually.check(gateway.vertx,
        () -> assertThat(System.currentTimeMillis()).as("past the first token's end").isGreaterThan(firstExpiresAt + 1000));
      gateway.publishAs(tokens.publisher(), "scenario.held", new JsonObject().put("n", 1));
      browser.awaitJs("the event, on the same connection", "return window.held.ids.length === 1");
      assertThat(((Number) browser.js("return window.held.drops")).intValue()).isZero();
      assertThat(((Number) browser.js("return window.held.opens")).intValue()).isEqualTo(1);
    } finally {
      proxy.holdWebSockets(false);
      browser.js("if (window.held) window.held.client.close()");
      longTokens.close();
    }
  }


  @Test
  @SuppressWarnings("unchecked")
  void nothingLostDuplicatedOrReorderedThroughCutsRefusedUpgradesAndExpiringTokens() throws Exception {
    // the page comes through the proxy too: one origin, the one the clients use
    browser.open(proxy.url() + "/");
    browser.js("""
      window.runs = {};
      for (const name of arguments[0]) {
        const run = { ids: [], opens: [], drops: [], transports: [], policyCloses: 0 };
        const client = new PushClient('', { topics: ['scenario.' + name], transport: name, token: arguments[1],
          getToken: () => fetch(arguments[2]).then((r) => r.text()) });
        client.addEventListener('open', (e) => { run.opens.push(Date.now()); run.transports.push(e.transport); });
        client.addEventListener('disconnect', (e) => {
          run.drops.push(Date.now());
          if (e.code === 1008) run.policyCloses++;
        });
        client.onmessage = (e) => run.ids.push(e.data.id);
        run.client = client;
        window.runs[name] = run;
      }
      """, CLIENTS, token(5), "http://127.0.0.1:" + tokenServer.actualPort() + "/");
    browser.awaitJs("every client open", "return arguments[0].every((n) => window.runs[n].client.readyState === 1)",
      CLIENTS);

    String publisher = tokens.publisher();
    long started = System.nanoTime();
    int events = SECONDS * RATE;
    for (int i = 1; i <= events; i++) {
      long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      if (i % (5 * RATE) == 0) {
        proxy.cutAll(); // every 5 s, every link
      }
      proxy.refuseWebSockets(elapsedMillis >= 20_000 && elapsedMillis < 35_000);
      for (String name : CLIENTS) {
        gateway.publishAs(publisher, "scenario." + name, new JsonObject().put("n", i));
      }
      long next = started + TimeUnit.MILLISECONDS.toNanos(i * 1000L / RATE);
      long wait = TimeUnit.NANOSECONDS.toMillis(next - System.nanoTime());
      if (wait > 0) {
        gateway.vertx.timer(wait).await(5, TimeUnit.SECONDS);
      }
    }
    proxy.refuseWebSockets(false);
    browser.awaitJs("every event on every client",
      "return arguments[0].every((n) => window.runs[n].ids.length >= arguments[1])", CLIENTS, events);

    Map<String, Object> runs = (Map<String, Object>) browser.js("""
      const out = {};
      for (const n of Object.keys(window.runs)) {
        const r = window.runs[n];
        out[n] = { ids: r.ids, opens: r.opens, drops: r.drops, transports: r.transports,
          policyCloses: r.policyCloses, refreshes: r.client.stats.refreshes };
        r.client.close();
      }
      return out;
      """);
    List<Long> expected = LongStream.rangeClosed(1, events).boxed().toList();
    List<Long> gaps = new ArrayList<>();
    for (String name : CLIENTS) {
      Map<String, Object> run = (Map<String, Object>) runs.get(name);
      assertThat((List<Long>) run.get("ids")).as(name + ": every event once, in order").containsExactlyElementsOf(expected);
      assertThat((Long) run.get("refreshes")).as(name + " token refreshes").isGreaterThanOrEqualTo(10);
      assertThat((Long) run.get("policyCloses")).as(name + ": no connection lost to a token").isZero();
      gaps.addAll(reconnectGaps((List<Long>) run.get("drops"), (List<Long>) run.get("opens")));
    }
    // auto fell back while upgrades were refused, and came back to WebSocket after
    List<String> autoTransports = (List<String>) ((Map<String, Object>) runs.get("auto")).get("transports");
    assertThat(autoTransports).contains("sse");
    assertThat(autoTransports.get(autoTransports.size() - 1)).isEqualTo("ws");
    assertThat(proxy.refusedUpgrades()).isPositive();
    List<Long> sorted = gaps.stream().sorted().toList();
    long median = sorted.get(sorted.size() / 2);
    System.out.println("reconnects after a cut: " + sorted.size() + ", median " + median + " ms, max "
      + sorted.get(sorted.size() - 1) + " ms (cuts " + proxy.cuts() + ", refused upgrades " + proxy.refusedUpgrades() + ")");
    assertThat(median).as("median reconnect after a cut, ms").isLessThan(1000);
  }

  /** For each drop, the time to the next open. */
  private static List<Long> reconnectGaps(List<Long> drops, List<Long> opens) {
    List<Long> gaps = new ArrayList<>();
    for (long drop : drops) {
      opens.stream().filter(open -> open >= drop).findFirst().ifPresent(open -> gaps.add(open - drop));
    }
    return gaps;
  }
}
