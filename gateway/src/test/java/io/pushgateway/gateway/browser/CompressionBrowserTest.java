package io.pushgateway.gateway.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Chromium offers permessage-deflate on every WebSocket: with the {@code compression} option on,
 * it gets the gateway's once-per-event compressed frames and reads every event, in order.
 */
class CompressionBrowserTest {

  private static final Pattern WS_BYTES =
    Pattern.compile("^pushgateway_written_bytes_total\\{transport=\"ws\"[^}]*} (\\S+)$", Pattern.MULTILINE);
  private static final String TEXT = "compressible ".repeat(40);

  private static TestGateway gateway;
  private static Browser browser;

  @BeforeAll
  static void start() {
    Browser.requireChromium();
    gateway = TestGateway.start(new JsonObject().put("compression", true));
    browser = Browser.start();
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void chromiumReadsCompressedEventsInOrder() {
    browser.open(gateway.url() + "/");
    String topic = "deflated";
    PageClient client = PageClient.create(browser, "z", "ws", topic).awaitOpen();

    List<String> expected = new ArrayList<>();
    for (int n = 1; n <= 20; n++) {
      long id = gateway.publish(topic, new JsonObject().put("n", n).put("text", TEXT));
      expected.add(topic + ":" + id + ":" + n);
    }

    assertThat(client.awaitEvents(20)).containsExactlyElementsOf(expected);
    assertThat(client.stat("reconnects")).isZero();
    // The meter counts payload bytes as written: compressed, they are a fraction of the JSON.
    Matcher written = WS_BYTES.matcher(gateway.get("/metrics"));
    assertThat(written.find()).as("ws bytes meter").isTrue();
    assertThat(Double.parseDouble(written.group(1))).isLessThan(20 * TEXT.length() / 4.0);
    client.close();
  }
}
