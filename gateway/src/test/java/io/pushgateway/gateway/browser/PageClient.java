package io.pushgateway.gateway.browser;

import java.util.List;
import java.util.Map;

/**
 * A {@code PushClient} created inside a page, recording what the application sees: every message
 * as {@code topic:id:n}, every reset as {@code reset:topic}, and each transport tried.
 */
final class PageClient {

  // Short delays keep the reconnect tests quick; the logic is the one a page gets by default.
  private static final String INSTALL = """
    const [name, topics, transport, extra] = arguments;
    const rec = { events: [], data: [], objects: [], resets: [], tried: [], opened: [], disconnects: 0, openedAt: null };
    const { baseUrl, ...options } = extra || {};
    const client = new PushClient(baseUrl || location.origin, Object.assign({
      topics, transport, pollInterval: 200, backoffInitial: 200, backoffMax: 1000
    }, options));
    client.onmessage = (e) => {
      rec.events.push(e.data.topic + ':' + e.data.id + ':' + e.data.data.n);
      rec.data.push(JSON.stringify(e.data.data));
      rec.objects.push(e.data.data);
    };
    client.addEventListener('reset', (e) => {
      rec.events.push('reset:' + e.topic);
      rec.resets.push({ topic: e.topic, from: e.from, epoch: e.epoch });
    });
    client.addEventListener('connecting', (e) => rec.tried.push(e.transport));
    client.addEventListener('open', (e) => {
      rec.opened.push(e.transport);
      rec.openedAt = performance.now();
    });
    client.addEventListener('disconnect', (e) => {
      rec.disconnects++;
      rec.lastDisconnect = e.reason;
    });
    window.clients = window.clients || {};
    window.clients[name] = { client, rec };
    """;

  private final Browser browser;
  private final String name;

  private PageClient(Browser browser, String name) {
    this.browser = browser;
    this.name = name;
  }

  /** Waits for push-client.js (loaded by the demo page) and starts a client. */
  static PageClient create(Browser browser, String name, String transport, String... topics) {
    return create(browser, name, transport, Map.of(), topics);
  }

  /** As above, with client options of the test's own ({@code heartbeat}, ..., {@code baseUrl}). */
  static PageClient create(Browser browser, String name, String transport, Map<String, Object> options,
                           String... topics) {
    browser.awaitJs("PushClient loaded", "return typeof window.PushClient === 'function'");
    browser.js(INSTALL, name, List.of(topics), transport, options);
    return new PageClient(browser, name);
  }

  PageClient awaitOpen() {
    browser.awaitJs(name + " open", "return window.clients[arguments[0]].client.readyState === 1", name);
    return this;
  }

  PageClient awaitOpenOn(String transport) {
    browser.awaitJs(name + " open on " + transport,
      "const c = window.clients[arguments[0]].client; return c.readyState === 1 && c.transport === arguments[1]",
      name, transport);
    return this;
  }

  PageClient awaitNotOpen() {
    browser.awaitJs(name + " notices the gateway is gone",
      "return window.clients[arguments[0]].client.readyState !== 1", name);
    return this;
  }

  /** Waits until the application has seen {@code count} entries (messages and resets). */
  @SuppressWarnings("unchecked")
  List<String> awaitEvents(int count) {
    browser.awaitJs(name + " sees " + count + " entries",
      "return window.clients[arguments[0]].rec.events.length >= arguments[1]", name, count);
    return events();
  }

  /** Each message's data as the application got it, JSON text, in order. */
  @SuppressWarnings("unchecked")
  List<String> data() {
    return (List<String>) browser.js("return window.clients[arguments[0]].rec.data.slice()", name);
  }

  /** The same data as the application holds it now: whatever changed it since shows. */
  @SuppressWarnings("unchecked")
  List<String> dataNow() {
    return (List<String>) browser.js("return window.clients[arguments[0]].rec.objects.map((d) => JSON.stringify(d))", name);
  }

  /** Waits until the application has seen {@code entry} ({@code topic:id:n}). */
  void awaitEntry(String entry) {
    browser.awaitJs(name + " sees " + entry,
      "return window.clients[arguments[0]].rec.events.includes(arguments[1])", name, entry);
  }

  @SuppressWarnings("unchecked")
  List<String> events() {
    return (List<String>) browser.js("return window.clients[arguments[0]].rec.events.slice()", name);
  }

  @SuppressWarnings("unchecked")
  List<String> tried() {
    return (List<String>) browser.js("return window.clients[arguments[0]].rec.tried.slice()", name);
  }

  @SuppressWarnings("unchecked")
  List<Map<String, Object>> resets() {
    return (List<Map<String, Object>>) browser.js("return window.clients[arguments[0]].rec.resets.slice()", name);
  }

  /** Waits until the client has stayed connected for {@code millis}, without a disconnect. */
  PageClient awaitConnectedFor(long millis) {
    browser.awaitJs(name + " connected for " + millis + " ms",
      "const r = window.clients[arguments[0]].rec;"
        + " if (r.disconnects) throw new Error('disconnected: ' + r.lastDisconnect); return performance.now() - r.openedAt > arguments[1]",
      name, millis);
    return this;
  }

  String cursor() {
    return (String) browser.js("return window.clients[arguments[0]].client.cursor", name);
  }

  String transport() {
    return (String) browser.js("return window.clients[arguments[0]].client.transport", name);
  }

  long stat(String key) {
    return ((Number) browser.js("return window.clients[arguments[0]].client.stats[arguments[1]]", name, key))
      .longValue();
  }

  /** Publishes from the page through the client (a {@code publish} frame on a WebSocket). */
  long publish(String topic, int n) {
    Object id = browser.jsAsync("""
      const [name, topic, n, done] = arguments;
      window.clients[name].client.publish(topic, { n })
        .then((ack) => done(ack.id), (e) => done('error: ' + e.message));
      """, name, topic, n);
    if (!(id instanceof Number)) {
      throw new AssertionError("publish from the page failed: " + id);
    }
    return ((Number) id).longValue();
  }

  /**
   * Publishes {@code {n}} with an idempotency key (null: the client makes one): {@code "id"},
   * {@code "id duplicate"} or {@code "error: code"}. With {@code dropConnection} the client leaves its connection right after
   * handing the publish over, before any answer can come, and connects again: the publish is sent
   * again with its key.
   */
  String publishKeyed(String topic, int n, String key, boolean dropConnection) {
    return (String) browser.jsAsync("""
      const [name, topic, n, key, drop, done] = arguments;
      const client = window.clients[name].client;
      const sent = client.publish(topic, { n }, { key });
      if (drop) client.setUnavailable([]);
      sent.then((ack) => done(ack.id + (ack.duplicate ? ' duplicate' : '')),
        (e) => done('error: ' + (e.code || e.message)));
      """, name, topic, n, key, dropConnection);
  }

  /**
   * Publishes {@code {n}} to each topic, {@code n} counting from 1, as one batch: a result per
   * event, as {@link #publishKeyed} spells them. With {@code dropConnection} as there.
   */
  List<String> publishAll(List<String> topics, boolean dropConnection) {
    Object results = browser.jsAsync("""
      const [name, topics, drop, done] = arguments;
      const client = window.clients[name].client;
      const sent = client.publishAll(topics.map((topic, i) => ({ topic, data: { n: i + 1 } })));
      if (drop) client.setUnavailable([]);
      sent.then((results) => done(results.map((r) => r.error ? 'error: ' + r.error.code
          : r.id + (r.duplicate ? ' duplicate' : ''))),
        (e) => done(['failed: ' + (e.code || e.message)]));
      """, name, topics, dropConnection);
    return ((List<?>) results).stream().map(String::valueOf).toList();
  }

  void close() {
    browser.js("window.clients[arguments[0]].client.close()", name);
  }
}
