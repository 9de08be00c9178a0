package io.pushgateway.gateway.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.TestGateway;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A page from one origin using a gateway on another that allows it (config
 * {@code allowedOrigins}): EventSource, fetch with a JSON body (preflighted) and the WebSocket
 * handshake all pass the gateway's Origin check and CORS.
 */
@Tag("browser")
class CrossOriginBrowserTest {

  private static TestGateway site;
  private static TestGateway api;
  private static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    Browser.requireChromium();
    site = TestGateway.start(new JsonObject());
    api = TestGateway.start(new JsonObject().put("allowedOrigins", site.url()));
    browser = Browser.start();
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {browser, api, site}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception ignored) {
        // closing the rest matters more
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ws", "sse", "long", "short"})
  void pageOnAnotherOriginSubscribesAndPublishes(String transport) throws Exception {
    browser.open(site.url() + "/");
    String topic = "cors." + transport;
    PageClient client = PageClient.create(browser, "x", transport, Map.of("baseUrl", api.url()), topic)
      .awaitOpen();

    long first = api.publishId(topic, new JsonObject().put("n", 1));
    long second = client.publish(topic, 2);
    // a keyed publish over HTTP sends its Idempotency-Key across origins (the preflight allows it)
    assertThat(client.publishKeyed(topic, 3, "cors-3", false)).isEqualTo("3");
    assertThat(client.publishKeyed(topic, 3, "cors-3", false)).isEqualTo("3 duplicate");

    assertThat(client.awaitEvents(3)).containsExactly(topic + ":" + first + ":1", topic + ":" + second + ":2",
      topic + ":3:3");
    assertThat(client.transport()).isEqualTo(transport);
    client.close();
  }
}
