package io.pushgateway.gateway.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.TestGateway;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code auto} tries ws, sse, long, short in that order and settles on the first one the gateway
 * serves; a transport the gateway stops serving (config {@code transports}) is left for the next.
 */
@Tag("browser")
class FallbackBrowserTest {

  private TestGateway gateway;
  private Browser browser;

  @BeforeAll
  static void requireChromium() {
    Browser.requireChromium();
  }

  @BeforeEach
  void startBrowser() {
    browser = Browser.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (browser != null) {
      browser.close();
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  @ParameterizedTest(name = "gateway serves {0}: auto settles on {1}")
  @CsvSource(delimiter = '|', value = {
    "ws,sse,long,short | ws    | ws",
    "sse,long,short    | sse   | ws,sse",
    "long,short        | long  | ws,sse,long",
    "short             | short | ws,sse,long,short"})
  void autoSettlesOnTheFirstServedTransport(String served, String expected, String tried) throws Exception {
    gateway = TestGateway.start(new JsonObject().put("transports", served));
    browser.open(gateway.url() + "/");
    PageClient client = PageClient.create(browser, "auto", "auto", "fallback").awaitOpenOn(expected);

    assertThat(client.tried()).containsExactlyElementsOf(List.of(tried.split(",")));
    long id = gateway.publishId("fallback", new JsonObject().put("n", 1));
    assertThat(client.awaitEvents(1)).containsExactly("fallback:" + id + ":1");
  }

  @Test
  void fallsBackStepByStepAsTheGatewayDropsWebSocketThenSseAndComesBack() throws Exception {
    gateway = TestGateway.start(new JsonObject());
    browser.open(gateway.url() + "/");
    PageClient client = PageClient.create(browser, "auto", "auto", "steps").awaitOpenOn("ws");
    gateway.publish("steps", new JsonObject().put("n", 1));
    client.awaitEvents(1);

    // the same port, now without WebSocket: the client comes back on SSE
    gateway.stop();
    client.awaitNotOpen();
    gateway.restart(new JsonObject().put("transports", "sse,long,short"));
    client.awaitOpenOn("sse");
    gateway.publish("steps", new JsonObject().put("n", 2));
    client.awaitEvents(3);

    // and without SSE: long polling
    gateway.stop();
    client.awaitNotOpen();
    gateway.restart(new JsonObject().put("transports", "long,short"));
    client.awaitOpenOn("long");
    gateway.publish("steps", new JsonObject().put("n", 3));
    client.awaitEvents(5);

    // WebSocket back: the next reconnect starts over from the best transport. (A long-polling
    // client only notices a stop when a poll fails; one that slips between two polls sees the
    // new gateway's reset and stays on long polling.)
    gateway.stop();
    client.awaitNotOpen();
    gateway.restart(new JsonObject());
    client.awaitOpenOn("ws");
    gateway.publish("steps", new JsonObject().put("n", 4));

    // every restart is a new in-memory history, so each one is reported as a reset
    assertThat(client.awaitEvents(7)).containsExactly(
      "steps:1:1", "reset:steps", "steps:1:2", "reset:steps", "steps:1:3", "reset:steps", "steps:1:4");
    assertThat(client.stat("reconnects")).isEqualTo(3);
  }

  @Test
  void demoSwitchMakesWebSocketUnavailableAndTheClientResumesOnSse() throws Exception {
    gateway = TestGateway.start(new JsonObject());
    browser.open(gateway.url() + "/");
    PageClient client = PageClient.create(browser, "auto", "auto", "switch").awaitOpenOn("ws");
    gateway.publish("switch", new JsonObject().put("n", 1));
    client.awaitEvents(1);

    browser.js("window.clients.auto.client.setUnavailable(['ws'])");
    client.awaitOpenOn("sse");
    gateway.publish("switch", new JsonObject().put("n", 2));
    browser.js("window.clients.auto.client.setUnavailable([])");
    client.awaitOpenOn("ws");
    gateway.publish("switch", new JsonObject().put("n", 3));

    // same gateway, same history: no reset, nothing twice, nothing lost
    assertThat(client.awaitEvents(3)).containsExactly("switch:1:1", "switch:2:2", "switch:3:3");
  }
}
