package io.pushgateway.gateway.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.TestGateway;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The gateway stops and starts again on the same port. Its history is in memory, so the new one
 * has a new epoch: the client's old cursor earns a reset (PROTOCOL.md, cursors), which the page
 * sees as an event, and every event of the new life arrives once, in order, including those
 * published while the client was still away.
 */
@Tag("browser")
class RestartBrowserTest {

  private static final String TOPIC = "restart";

  private TestGateway gateway;
  private Browser browser;

  @BeforeAll
  static void requireChromium() {
    Browser.requireChromium();
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

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ws", "sse", "long", "short"})
  void pageReconnectsAndSeesEveryEventOnceInOrder(String transport) throws Exception {
    gateway = TestGateway.start(new JsonObject());
    browser = Browser.start();
    browser.open(gateway.url() + "/");
    PageClient client = PageClient.create(browser, "c", transport, TOPIC).awaitOpen();

    List<String> expected = new ArrayList<>();
    for (int n = 1; n <= 5; n++) {
      expected.add(publish(n));
    }
    client.awaitEvents(5);

    gateway.stop();
    client.awaitNotOpen();
    gateway.restart(new JsonObject());
    expected.add("reset:" + TOPIC);
    // published before the client is back: it must still get them, from history
    for (int n = 6; n <= 8; n++) {
      expected.add(publish(n));
    }
    client.awaitOpenOn(transport);
    for (int n = 9; n <= 11; n++) {
      expected.add(publish(n));
    }
    client.awaitEvents(expected.size());
    // a last one: once it is in, anything delivered twice before it would show as well
    expected.add(publish(12));

    assertThat(client.awaitEvents(expected.size())).containsExactlyElementsOf(expected);
    List<Map<String, Object>> resets = client.resets();
    assertThat(resets).hasSize(1);
    assertThat(resets.get(0).get("epoch")).isNotNull();
    assertThat(client.stat("reconnects")).isGreaterThanOrEqualTo(1);
    assertThat(client.transport()).isEqualTo(transport);
  }

  private String publish(int n) throws Exception {
    long id = gateway.publishId(TOPIC, new JsonObject().put("n", n));
    return TOPIC + ":" + id + ":" + n;
  }
}
