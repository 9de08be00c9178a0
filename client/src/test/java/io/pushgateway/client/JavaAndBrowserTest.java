package io.pushgateway.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.browser.Browser;
import io.pushgateway.gateway.testing.TestGateway;
import io.pushgateway.gateway.testing.TestTokens;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java client and push-client.js in Chromium against one gateway: a Java subscriber (long
 * polling) and a browser subscriber (SSE) receive the same stream across token refreshes and a
 * gateway restart (the restart's new history shows as a reset on both, and the events after it
 * are the same on both); and a phone and a page in one chat room see each other's presence and
 * messages.
 */
@Tag("browser")
class JavaAndBrowserTest {

  @TempDir
  Path dir;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @SuppressWarnings("unchecked")
  void bothClientsSeeTheSameStreamAcrossARefreshAndARestart() throws Exception {
    Browser.requireChromium();
    TestTokens tokens = TestTokens.create(dir);
    JsonObject config = tokens.gatewayConfig();
    try (TestGateway gateway = TestGateway.start(config); Browser browser = Browser.start()) {
      tokens.bind(gateway.vertx);
      JsonObject claims = new JsonObject().put("sub", "reader")
        .put("topics", new JsonObject().put("sub", new JsonArray().add("shared")).put("pub", new JsonArray()));
      HttpServer tokenServer = TestTokens.endpoint(gateway.vertx,
        () -> tokens.signRaw(claims.copy().put("exp", System.currentTimeMillis() / 1000 + 3)));
      String tokenUrl = "http://127.0.0.1:" + tokenServer.actualPort() + "/";
      String first = tokens.signRaw(claims.copy().put("exp", System.currentTimeMillis() / 1000 + 3));

      Recorder java = new Recorder();
      try (PushClient client = PushClient.builder(gateway.url()).topics("shared").transport(Transport.LONG)
        .token(first).tokenSupplier(() -> CompletableFuture.supplyAsync(
          () -> tokens.signRaw(claims.copy().put("exp", System.currentTimeMillis() / 1000 + 3))))
        .listener(java).build()) {
        client.connect();
        browser.open(gateway.url() + "/");
        browser.js("""
          window.seen = [];
          window.page = new PushClient('', { topics: ['shared'], transport: 'sse', token: arguments[0],
            getToken: () => fetch(arguments[1]).then((r) => r.text()) });
          window.page.onmessage = (e) => window.seen.push('event ' + e.data.id);
          window.page.addEventListener('reset', (e) => window.seen.push('reset ' + e.from));
          """, first, tokenUrl);
        java.await("java open", () -> !java.opens.isEmpty());
        browser.awaitJs("page open", "return window.page.readyState === 1");

        publish(gateway, tokens, 1, 30); // 3 s at 10/s: past the first tokens' exp
        java.await("30 events", () -> java.events.size() >= 30);
        browser.awaitJs("30 events", "return window.seen.length >= 30");

        gateway.restart(config); // a new in-memory history: a new epoch, ids from 1
        publish(gateway, tokens, 1, 10);
        java.await("reset and 40 events", () -> java.events.size() >= 40 && java.resets.size() == 1,
          Duration.ofSeconds(60));
        browser.awaitJs("reset and 40 events", "return window.seen.length >= 41");

        List<String> expected = Stream.concat(
          Stream.concat(LongStream.rangeClosed(1, 30).mapToObj(id -> "event " + id), Stream.of("reset 1")),
          LongStream.rangeClosed(1, 10).mapToObj(id -> "event " + id)).toList();
        List<String> javaSaw = Stream.concat(Stream.concat(java.events.subList(0, 30).stream().map(e -> "event " + e.id()),
          Stream.of("reset " + java.resets.get(0).from())), java.events.subList(30, 40).stream().map(e -> "event " + e.id()))
          .toList();
        assertThat(javaSaw).containsExactlyElementsOf(expected);
        assertThat((List<String>) browser.js("return window.seen")).containsExactlyElementsOf(expected);
        assertThat(client.stats().refreshes).isPositive();
        assertThat(((Number) browser.js("return window.page.stats.refreshes")).longValue()).isPositive();
      }
    }
  }

  /**
   * A chat room with a phone (the Java client on WebSocket) and a page (push-client.js on SSE):
   * each sees the other join, each one's message reaches the other, and the phone sees the page
   * leave when it closes.
   */
  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  @SuppressWarnings("unchecked")
  void aPhoneAndAPageSeeEachOtherInAChatRoom() throws Exception {
    Browser.requireChromium();
    try (TestGateway gateway = TestGateway.start(new JsonObject().put("presenceNames", true));
         Browser browser = Browser.start()) {
      Recorder phone = new Recorder();
      try (PushClient client = PushClient.builder(gateway.url()).topics("room").transport(Transport.WS)
        .presence().name("phone").listener(phone).build()) {
        client.connect();
        phone.await("the phone's snapshot", () -> phone.presence.contains("snapshot room: [phone]"));
        browser.open(gateway.url() + "/");
        browser.js("""
          window.seen = [];
          window.page = new PushClient('', { topics: ['room'], transport: 'sse', presence: true, name: 'page' });
          window.page.onmessage = (e) => window.seen.push('message ' + e.data.data.text);
          window.page.addEventListener('join', (e) => window.seen.push('join ' + e.member.id));
          """);
        phone.await("the page's join", () -> phone.presence.contains("join room: page"));
        assertThat(client.members("room")).extracting(Member::id).containsExactly("phone", "page");
        assertThat(client.members("room").get(1).transports()).containsExactly("sse");

        client.publish("room", "{\"text\":\"hi from the phone\"}").get(10, TimeUnit.SECONDS);
        browser.awaitJs("the phone's message", "return window.seen.includes('message hi from the phone')");
        browser.js("window.page.publish('room', { text: 'hi from the page' })");
        phone.await("the page's message", () -> phone.events.stream()
          .anyMatch(e -> e.dataJson().contains("hi from the page")));
        assertThat((List<String>) browser.js("return window.seen"))
          .as("the phone was in the page's first snapshot, not a join after it").doesNotContain("join phone");
        assertThat(((List<Object>) browser.js("return window.page.members('room').map((m) => m.id)")))
          .containsExactly("phone", "page");

        browser.js("window.page.close()");
        phone.await("the page's leave", () -> phone.presence.contains("leave room: page"));
        assertThat(client.members("room")).extracting(Member::id).containsExactly("phone");
      }
    }
  }

  private static void publish(TestGateway gateway, TestTokens tokens, int from, int to) throws Exception {
    String publisher = tokens.publisher();
    for (int n = from; n <= to; n++) {
      gateway.publishAs(publisher, "shared", new JsonObject().put("n", n));
      gateway.vertx.timer(100).await(5, TimeUnit.SECONDS);
    }
  }
}
