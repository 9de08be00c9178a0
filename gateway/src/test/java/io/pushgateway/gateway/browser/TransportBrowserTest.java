package io.pushgateway.gateway.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.TestGateway;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Each transport, forced, delivers what is published: once, in order, on that transport. */
@Tag("browser")
class TransportBrowserTest {


  private static TestGateway gateway;
  private static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    Browser.requireChromium();
    gateway = TestGateway.start(new JsonObject());
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

  @BeforeEach
  void openPage() {
    browser.open(gateway.url() + "/");
  }

  /**
   * The page's publishes with an idempotency key: sent again with the same key, answered with the
   * first event as a duplicate; a publish whose connection went before its answer is sent again by
   * the client and stored once, also one without a key of the page's (the client makes one); the
   * key with other data is refused. Subscribers see each event once.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ws", "short"})
  void keyedPublishesFromThePageAreStoredOnce(String transport) throws Exception {
    String topic = "browser.keyed." + transport;
    PageClient client = PageClient.create(browser, "k", transport, topic).awaitOpen();
    assertThat(client.publishKeyed(topic, 1, "k1", false)).isEqualTo("1");
    assertThat(client.publishKeyed(topic, 1, "k1", false)).isEqualTo("1 duplicate");
    assertThat(client.publishKeyed(topic, 9, "k1", false)).isEqualTo("error: key_conflict");
    assertThat(client.publishKeyed(topic, 2, "k2", true)).as("sent again after the connection went")
      .isIn("2", "2 duplicate");
    assertThat(client.publishKeyed(topic, 3, null, true)).as("the same with a key the client made")
      .isIn("3", "3 duplicate");
    assertThat(client.publish(topic, 4)).isEqualTo(4);
    assertThat(client.awaitEvents(4))
      .containsExactly(topic + ":1:1", topic + ":2:2", topic + ":3:3", topic + ":4:4");
    assertThat(gateway.get("/api/topics/" + topic).json().getLong("lastId")).isEqualTo(4);
    client.close();
  }

  /**
   * A batch from the page, in one frame (WebSocket) or one request: a result per event, an event
   * the gateway refuses failing alone; sent again whole when its connection went before the
   * answer, and stored once.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ws", "short"})
  void aBatchFromThePageHasAResultPerEventAndIsStoredOnce(String transport) throws Exception {
    String topic = "browser.batch." + transport;
    PageClient client = PageClient.create(browser, "b", transport, topic).awaitOpen();
    assertThat(client.publishAll(List.of(topic, "not a topic", topic), false))
      .containsExactly("1", "error: invalid_topic", "2");
    assertThat(client.publishAll(List.of(topic, topic), true)).as("sent again after the connection went")
      .isIn(List.of("3", "4"), List.of("3 duplicate", "4 duplicate"));
    assertThat(client.awaitEvents(4))
      .containsExactly(topic + ":1:1", topic + ":2:3", topic + ":3:1", topic + ":4:2");
    assertThat(gateway.get("/api/topics/" + topic).json().getLong("lastId")).isEqualTo(4);
    client.close();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ws", "sse", "long", "short"})
  void forcedTransportReceivesPublishedEvents(String transport) throws Exception {
    String topic = "browser." + transport;
    PageClient client = PageClient.create(browser, "c", transport, topic).awaitOpen();

    List<String> expected = new ArrayList<>();
    for (int n = 1; n <= 20; n++) {
      long id = gateway.publishId(topic, new JsonObject().put("n", n));
      expected.add(topic + ":" + id + ":" + n);
    }
    // one more from the page itself: a publish frame with an ack on ws, a POST elsewhere
    long id = client.publish(topic, 21);
    expected.add(topic + ":" + id + ":21");

    assertThat(client.awaitEvents(21)).containsExactlyElementsOf(expected);
    assertThat(client.transport()).isEqualTo(transport);
    assertThat(client.stat("events")).isEqualTo(21);
    assertThat(client.stat("reconnects")).isZero();
    client.close();
  }

  /**
   * {@code conflate}: the page gets each burst's newest value, ids skipping, in order, and takes
   * the skips for what it asked, not for a loss: no gap counted, no reconnect.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ws", "sse", "long", "short"})
  void aConflatingPageGetsTheNewestValuesAndCountsNoGap(String transport) throws Exception {
    String topic = "browser.conflated." + transport;
    PageClient client = PageClient.create(browser, "f", transport, Map.of("conflate", 300), topic).awaitOpen();
    publishBurst(topic, 1, 10);
    client.awaitEntry(topic + ":10:10");
    publishBurst(topic, 11, 20);
    client.awaitEntry(topic + ":20:20");

    List<Long> ids = client.events().stream().map(e -> Long.parseLong(e.split(":")[1])).toList();
    assertThat(ids).isSorted().doesNotHaveDuplicates().endsWith(20L).hasSizeLessThan(20);
    assertThat(client.events()).allSatisfy(e -> assertThat(e.split(":")[1]).isEqualTo(e.split(":")[2]));
    assertThat(client.stat("gaps")).isZero();
    assertThat(client.stat("reconnects")).isZero();
    assertThat(client.cursor()).startsWith(topic + ":20:");
    client.close();
  }

  /** {@code conflate: {prices: 300}}: prices conflated, the client's other topic taken whole, no gap counted. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ws", "sse", "long", "short"})
  void aPageConflatesOneTopicAndTakesTheOtherWhole(String transport) throws Exception {
    String prices = "browser.prices." + transport;
    String fills = "browser.fills." + transport;
    PageClient client = PageClient.create(browser, "p", transport, Map.of("conflate", Map.of(prices, 300)),
      prices, fills).awaitOpen();
    publishBurst(prices, 1, 10);
    publishBurst(fills, 1, 10);
    client.awaitEntry(prices + ":10:10");
    client.awaitEntry(fills + ":10:10");

    List<String> events = client.events();
    assertThat(events).filteredOn(e -> e.startsWith(fills + ":")).hasSize(10);
    assertThat(events).filteredOn(e -> e.startsWith(prices + ":")).hasSizeLessThan(10).last().isEqualTo(prices + ":10:10");
    assertThat(client.stat("gaps")).isZero();
    assertThat(client.stat("reconnects")).isZero();
    client.close();
  }

  /**
   * {@code delta: true}: events after the first come as patches, in every format, and the page's
   * handlers get whole data all the same, members added, changed and removed, nested objects too;
   * the data it was handed before stays as it was.
   */
  @ParameterizedTest(name = "{0}, {1}")
  @CsvSource({"ws,json", "ws,compact", "sse,json", "sse,compact", "long,json", "short,compact"})
  void aPageAskingForDeltasGetsWholeData(String transport, String format) throws Exception {
    String topic = "browser.delta." + transport + "." + format;
    List<JsonObject> data = new ArrayList<>();
    for (int n = 1; n <= 6; n++) {
      JsonObject quote = new JsonObject().put("n", n).put("name", "Acme Corporation, common stock")
        .put("venue", new JsonObject().put("mic", "XNAS").put("open", n % 2 == 0)).put("bid", 100 + n);
      if (n % 3 == 0) {
        quote.put("halted", true); // added, then removed by the next
      }
      data.add(quote);
    }
    publishAll(topic, data);
    PageClient client = PageClient.create(browser, "d", transport,
      Map.of("delta", true, "format", format, "cursor", topic + ":0"), topic).awaitOpen();
    client.awaitEntry(topic + ":6:6");

    assertThat(client.data()).extracting(JsonObject::new).containsExactlyElementsOf(data);
    // a poll answer holding all six, or a stream: each after the first a patch
    assertThat(client.stat("patches")).isEqualTo(5);
    assertThat(client.dataNow()).as("handed out, never changed").isEqualTo(client.data());
    assertThat(client.stat("reconnects")).isZero();
    client.close();
  }

  /**
   * A page started from a saved cursor holds no data there: it is never sent a patch it cannot
   * apply (a poller leaves {@code delta} out until it holds the data), so it never reconnects.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ws", "sse", "long", "short"})
  void aPageResumingFromASavedCursorWithDeltasGetsWholeDataFirst(String transport) throws Exception {
    String topic = "browser.delta.resumed." + transport;
    List<JsonObject> data = new ArrayList<>();
    for (int n = 1; n <= 6; n++) {
      data.add(new JsonObject().put("n", n).put("pad", "what stays the same from one event to the next, so a patch pays"));
    }
    publishAll(topic, data);
    String saved = gateway.request(HttpMethod.GET, "/poll?topics=" + topic + "&cursor=" + topic + ":0&limit=3", null,
      null).json().getString("cursor");
    PageClient client = PageClient.create(browser, "r", transport, Map.of("delta", true, "cursor", saved), topic)
      .awaitOpen();
    client.awaitEntry(topic + ":6:6");
    assertThat(client.events()).containsExactly(topic + ":4:4", topic + ":5:5", topic + ":6:6");
    assertThat(client.stat("reconnects")).isZero();
    client.close();
  }

  /**
   * {@code rewind: 3}: a page joining late gets the topic's newest three events, then the live ones,
   * in either format and with deltas; nothing counted as a gap or a duplicate.
   */
  @ParameterizedTest(name = "{0}, {1}")
  @CsvSource({"ws,json", "ws,compact", "sse,compact", "long,json", "short,compact"})
  void aPageRewindsToTheNewestEventsThenGoesOnLive(String transport, String format) throws Exception {
    String topic = "browser.rewind." + transport + "." + format;
    publishBurst(topic, 1, 6);
    PageClient client = PageClient.create(browser, "w", transport,
      Map.of("rewind", 3, "format", format, "delta", true), topic).awaitOpen();
    client.awaitEntry(topic + ":6:6");
    publishBurst(topic, 7, 7);
    assertThat(client.awaitEvents(4)).containsExactly(topic + ":4:4", topic + ":5:5", topic + ":6:6", topic + ":7:7");
    assertThat(client.stat("gaps")).isZero();
    assertThat(client.stat("duplicates")).isZero();
    assertThat(client.stat("reconnects")).isZero();
    client.close();
  }

  /** Events {@code n} = from..to in one batch, so each burst is stored before anyone polls it. */
  private static void publishBurst(String topic, int from, int to) throws Exception {
    List<JsonObject> data = new ArrayList<>();
    for (int n = from; n <= to; n++) {
      data.add(new JsonObject().put("n", n));
    }
    publishAll(topic, data);
  }

  /** {@code data} as events of {@code topic}, in one batch. */
  private static void publishAll(String topic, List<JsonObject> data) throws Exception {
    JsonArray events = new JsonArray();
    data.forEach(d -> events.add(new JsonObject().put("topic", topic).put("data", d)));
    assertThat(gateway.request(HttpMethod.POST, "/api/events", Buffer.buffer(new JsonObject().put("events", events)
      .encode()), "application/json").status()).isEqualTo(200);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ws", "sse", "long", "short"})
  void resumesFromAGivenCursorAndHandsOutAFullOne(String transport) throws Exception {
    String topic = "resume." + transport;
    for (int n = 1; n <= 5; n++) {
      gateway.publish(topic, new JsonObject().put("n", n));
    }
    // "I have everything up to 2": the epoch may be left out (PROTOCOL.md, cursors)
    PageClient client = PageClient.create(browser, "r", transport, Map.of("cursor", topic + ":2"), topic)
      .awaitOpen();
    gateway.publish(topic, new JsonObject().put("n", 6));

    assertThat(client.awaitEvents(4)).containsExactly(
      topic + ":3:3", topic + ":4:4", topic + ":5:5", topic + ":6:6");
    assertThat(client.cursor()).matches(Pattern.quote(topic) + ":6:[A-Za-z0-9_]+");
    client.close();
  }

  /**
   * {@code format: 'compact'}: the application sees the same events as with the default format,
   * resumed from the same cursor, and on a push transport the compact client reads fewer bytes for
   * them (the gateway's wire meter counts both).
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ws", "sse", "long", "short"})
  void theCompactFormatDeliversTheSameEventsInFewerBytes(String transport) throws Exception {
    String a = "compact-a." + transport;
    String b = "compact-b." + transport;
    for (int n = 1; n <= 3; n++) {
      gateway.publish(a, new JsonObject().put("n", n));
    }
    PageClient full = PageClient.create(browser, "fj", transport,
      Map.of("cursor", a + ":1", "meter", "json-" + transport + "-meter"), a, b).awaitOpen();
    PageClient compact = PageClient.create(browser, "fc", transport,
      Map.of("cursor", a + ":1", "meter", "compact-" + transport + "-meter", "format", "compact"), a, b).awaitOpen();
    // one topic: on SSE each event is its data alone
    PageClient single = PageClient.create(browser, "f1", transport, Map.of("cursor", a + ":1", "format", "compact"), a)
      .awaitOpen();
    // timestamps asked for: the same events, with their ts for the latency figures
    PageClient timed = PageClient.create(browser, "ft", transport,
      Map.of("cursor", a + ":1", "format", "compact", "timestamps", true), a).awaitOpen();
    List<String> expected = new ArrayList<>(List.of(a + ":2:2", a + ":3:3"));
    for (int n = 1; n <= 10; n++) {
      long idA = gateway.publishId(a, new JsonObject().put("n", n + 3));
      long idB = gateway.publishId(b, new JsonObject().put("n", n));
      expected.add(a + ":" + idA + ":" + (n + 3));
      expected.add(b + ":" + idB + ":" + n);
    }
    assertThat(compact.awaitEvents(expected.size())).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(full.awaitEvents(expected.size())).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(single.awaitEvents(12)).containsExactlyElementsOf(expected.stream().filter(e -> e.startsWith(a + ":")).toList());
    assertThat(timed.awaitEvents(12)).containsExactlyElementsOf(expected.stream().filter(e -> e.startsWith(a + ":")).toList());
    assertThat(((Number) browser.js("return window.clients.ft.client.stats.latency.samples")).longValue()).isEqualTo(12);
    assertThat(((Number) browser.js("return window.clients.f1.client.stats.latency.samples")).longValue()).isZero();
    assertThat(compact.stat("gaps")).isZero();
    assertThat(compact.stat("reconnects")).isZero();
    assertThat(compact.cursor()).isEqualTo(full.cursor());
    if (transport.equals("ws") || transport.equals("sse")) {
      // one connection each, so the difference is the events' spelling alone
      long fullBytes = gateway.get("/api/meters/json-" + transport + "-meter").json().getLong("bytesDown");
      long compactBytes = gateway.get("/api/meters/compact-" + transport + "-meter").json().getLong("bytesDown");
      assertThat(compactBytes).as("bytes down, compact vs json").isLessThan(fullBytes - 20L * 20);
    }
    full.close();
    compact.close();
    single.close();
    timed.close();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ws", "sse", "long", "short"})
  void aHoleInTheStreamIsRefilledFromHistory(String transport) throws Exception {
    String topic = "gap." + transport;
    PageClient client = PageClient.create(browser, "g", transport, topic).awaitOpen();
    for (int n = 1; n <= 3; n++) {
      gateway.publish(topic, new JsonObject().put("n", n));
    }
    client.awaitEvents(3);

    // what a transport losing #4 would look like: #5 arrives next (a made-up one)
    browser.js("window.clients.g.client._deliver({ topic: arguments[0], id: 5, ts: Date.now(), data: { n: -5 } })",
      topic);
    for (int n = 4; n <= 6; n++) {
      gateway.publish(topic, new JsonObject().put("n", n));
    }

    // the client left the stream, came back with its cursor and got the real #4.. from history
    assertThat(client.awaitEvents(6)).containsExactly(
      topic + ":1:1", topic + ":2:2", topic + ":3:3", topic + ":4:4", topic + ":5:5", topic + ":6:6");
    assertThat(client.stat("gaps")).isEqualTo(1);
    assertThat(client.stat("reconnects")).isEqualTo(1);
    client.close();
  }

  @Test
  void webSocketHeartbeatKeepsAQuietConnectionOpen() throws Exception {
    // a ping every 500 ms (roomy for a busy build machine); a pong missing at the next ping drops
    // the connection
    PageClient client = PageClient.create(browser, "hb", "ws", Map.of("heartbeat", 500), "heartbeat")
      .awaitOpen()
      .awaitConnectedFor(2600);
    long id = gateway.publishId("heartbeat", new JsonObject().put("n", 1));
    assertThat(client.awaitEvents(1)).containsExactly("heartbeat:" + id + ":1");
    assertThat(client.stat("reconnects")).isZero();
    client.close();
  }

  /**
   * Chromium offers permessage-deflate on every WebSocket: with the {@code compression} option on,
   * it gets the gateway's once-per-event compressed frames and reads every event, in order.
   */
  @Test
  void chromiumReadsCompressedWebSocketEventsInOrder() throws Exception {
    String text = "compressible ".repeat(40);
    try (TestGateway compressing = TestGateway.start(new JsonObject().put("compression", true))) {
      browser.open(compressing.url() + "/");
      String topic = "deflated";
      PageClient client = PageClient.create(browser, "z", "ws", topic).awaitOpen();

      List<String> expected = new ArrayList<>();
      for (int n = 1; n <= 20; n++) {
        long id = compressing.publishId(topic, new JsonObject().put("n", n).put("text", text));
        expected.add(topic + ":" + id + ":" + n);
      }

      assertThat(client.awaitEvents(20)).containsExactlyElementsOf(expected);
      assertThat(client.stat("reconnects")).isZero();
      // The meter counts payload bytes as written: compressed, they are a fraction of the JSON.
      double written = compressing.scrape().sum("pushgateway_written_bytes_total", "transport", "ws");
      assertThat(written).as("ws bytes meter").isPositive().isLessThan(20 * text.length() / 4.0);
      client.close();
    }
  }

  @Test
  void loadsAsAnEsModuleToo() {
    Object same = browser.jsAsync("""
      const done = arguments[arguments.length - 1];
      import('/push-client.mjs').then((m) => done(m.PushClient === window.PushClient && m.default === m.PushClient),
        (e) => done(String(e)));
      """);
    assertThat(same).isEqualTo(true);
  }

  @Test
  void theDemoPageLoadsWithoutAConsoleErrorAndItsIconLoads() {
    browser.consoleErrors();
    browser.open(gateway.url() + "/");
    browser.awaitJs("page loaded", "return document.readyState === 'complete'");
    assertThat(browser.consoleErrors()).isEmpty();
    // Headless Chromium fetches no favicon, a desktop browser does: without an icon the page
    // declares, its request for /favicon.ico is a 404 on the console. The declared one must load.
    Object icon = browser.jsAsync("""
      const done = arguments[arguments.length - 1];
      const link = document.querySelector('link[rel~="icon"]');
      if (!link) { done('no icon link'); } else { fetch(link.href).then((r) => done(r.ok), (e) => done(String(e))); }
      """);
    assertThat(icon).isEqualTo(true);
  }
}
