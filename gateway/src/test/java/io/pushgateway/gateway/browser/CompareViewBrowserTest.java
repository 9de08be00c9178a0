package io.pushgateway.gateway.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.TestGateway;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;

/**
 * The demo page's compare view against the demo ticker: four live panels with real numbers, a
 * screenshot of them for the README ({@code docs/images/compare-view.png}), and the switch that takes
 * WebSocket away from the auto panel.
 */
@Tag("browser")
class CompareViewBrowserTest {

  private static final String[] PANELS = {"ws", "sse", "long", "short"};

  private static TestGateway gateway;
  private static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    Browser.requireChromium();
    gateway = TestGateway.start(new JsonObject().put("demo", true).put("demoRate", 100));
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

  @Test
  void panelsShowLiveNumbersAndTheSwitchMakesTheAutoPanelFallBack() throws IOException {
    browser.open(gateway.url() + "/#compare");
    for (String panel : PANELS) {
      // more ticks than the 512-sample window holds, so the numbers are warm ones, not start-up
      browser.awaitJs(panel + " panel has 600 events and a latency",
        "const c = window.demo.compare[arguments[0]];"
          + " return c && c.stats.events >= 600 && c.stats.latency.median !== null",
        panel);
    }
    browser.awaitJs("panels rendered", "return [...document.querySelectorAll('.panel .median')]"
      + ".every((dd) => /\\d+ ms/.test(dd.textContent))");
    assertThat(badge("ws")).isEqualTo("auto · ws");
    assertThat(badge("short")).isEqualTo("short");
    panelsShowWhatEachTransportCosts();
    // the body, not the window: the picture ends where the page does
    writeScreenshot(browser.driver.findElement(By.tagName("body")).getScreenshotAs(OutputType.BYTES));

    browser.driver.findElement(By.id("no-ws")).click();
    browser.await("auto panel falls back to SSE", d -> badge("ws").equals("auto · sse") ? true : null);
    assertThat(text("ws", ".trail")).contains("ws ✗").endsWith("sse ✓");
    long events = events("ws");
    browser.await("auto panel keeps receiving on SSE", d -> events("ws") > events + 10 ? true : null);

    browser.driver.findElement(By.id("no-ws")).click();
    browser.await("auto panel back on WebSocket", d -> badge("ws").equals("auto · ws") ? true : null);
    assertThat(((Number) browser.js("return window.demo.compare.ws.stats.duplicates")).longValue()).isZero();
  }

  /**
   * Bytes per event as the gateway metered each panel's client: shown as computed from the meter,
   * and ordered as the transports' framing orders them.
   */
  private static void panelsShowWhatEachTransportCosts() {
    browser.awaitJs("every panel shows its bytes per event", "return [...document.querySelectorAll('.panel')]"
      + ".every((p) => /^\\d+ B$/.test(p.querySelector('.down').textContent)"
      + " && /^\\d+ B$/.test(p.querySelector('.up').textContent))");
    for (String panel : PANELS) {
      Map<String, Number> meter = meter(panel);
      assertThat(meter.get("requests").longValue()).as(panel + " requests").isPositive();
      assertThat(meter.get("bytesUp").longValue()).as(panel + " bytes up").isPositive();
      // the panel renders the latest reading within a quarter of a second
      browser.awaitJs(panel + " panel shows its meter's bytes per event",
        "const m = window.demo.meters[arguments[0]];"
          + " const shown = document.querySelector(\".panel[data-transport='\" + arguments[0] + \"'] .down\");"
          + " return shown.textContent === (m.bytesDown / m.events).toFixed(0) + ' B'", panel);
    }
    // an SSE event carries its id line and its chunk's framing besides the JSON a frame carries
    assertThat(perEvent(meter("ws"), "bytesDown")).isLessThan(perEvent(meter("sse"), "bytesDown"));
    // pollers send a request, headers and all, for what a WebSocket opened once
    assertThat(perEvent(meter("long"), "bytesUp")).isGreaterThan(perEvent(meter("ws"), "bytesUp"));
    assertThat(perEvent(meter("short"), "requests")).isGreaterThan(perEvent(meter("ws"), "requests"));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Number> meter(String panel) {
    return (Map<String, Number>) browser.js("return window.demo.meters[arguments[0]]", panel);
  }

  private static double perEvent(Map<String, Number> meter, String count) {
    return meter.get(count).doubleValue() / meter.get("events").doubleValue();
  }

  @Test
  void everyViewFitsAPhoneScreen() throws Exception {
    browser.driver.manage().window().setSize(new Dimension(390, 844));
    try {
      for (String view : new String[] {"ticker", "chat", "compare"}) {
        browser.open(gateway.url() + "/#" + view);
        browser.awaitJs(view + " shown", "return !document.getElementById(arguments[0]).hidden", view);
        assertThat(((Number) browser.js("return window.innerWidth")).intValue()).isLessThanOrEqualTo(400);
        assertThat(browser.js("return document.documentElement.scrollWidth <= window.innerWidth"))
          .as(view + " scrolls sideways on a phone").isEqualTo(true);
      }
      // the ticker view shows demo quotes there too
      browser.open(gateway.url() + "/#ticker");
      browser.awaitJs("quotes listed", "return document.querySelectorAll('#ticker-quotes tr').length > 0");
    } finally {
      browser.driver.manage().window().setSize(new Dimension(1280, 800));
    }
  }

  private static String badge(String panel) {
    return text(panel, ".badge");
  }

  private static String text(String panel, String selector) {
    return browser.driver.findElement(By.cssSelector(".panel[data-transport='" + panel + "'] " + selector))
      .getText();
  }

  private static long events(String panel) {
    return ((Number) browser.js("return window.demo.compare[arguments[0]].stats.events", panel)).longValue();
  }

  /**
   * Every run leaves the picture in {@code target/}; {@code docs/images/compare-view.png}, the one the
   * README shows, is replaced only when asked ({@code -DupdateScreenshots=true}) or missing, so a
   * test run does not dirty the working tree.
   */
  private static void writeScreenshot(byte[] png) throws IOException {
    Files.write(Files.createDirectories(Path.of("target")).resolve("compare-view.png"), png);
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("static").resolve("push-client.js"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("repository root above the working directory").isNotNull();
    Path docs = dir.resolve("docs").resolve("images").resolve("compare-view.png");
    if (Boolean.getBoolean("updateScreenshots") || !Files.exists(docs)) {
      Files.write(Files.createDirectories(docs.getParent()).resolve(docs.getFileName()), png);
    }
  }
}
