package io.pushgateway.gateway.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.TestGateway;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Binary messages as the browser's WebSocket API sends and receives them, in real Chromium: a
 * 400 × 320 canvas image (512,000 bytes) and a 10,000,000-byte ArrayBuffer sent with
 * {@code ws.send}, received as {@code e.data instanceof ArrayBuffer} and as a Blob of that size;
 * and push-client.js publishing a Blob and handing every transport's subscriber the same bytes
 * (as a Blob or an ArrayBuffer, whichever it asked for) among JSON events, in order.
 */
@Tag("browser")
class BinaryBrowserTest {

  private static final List<String> TRANSPORTS = List.of("ws", "sse", "long", "short");

  private static TestGateway gateway;
  private static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    Browser.requireChromium();
    gateway = TestGateway.start();
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

  /** The page's helpers: bytes that differ at every position, and a check of every byte. */
  private static final String BYTES = """
    window.pattern = (n, seed) => { const u8 = new Uint8Array(n); for (let i = 0; i < n; i++) u8[i] = (i * 31 + seed) & 255; return u8; };
    window.same = (buffer, n, seed) => { const u8 = new Uint8Array(buffer); if (u8.length !== n) return false;
      for (let i = 0; i < n; i++) if (u8[i] !== ((i * 31 + seed) & 255)) return false; return true; };
    """;

  @Test
  @SuppressWarnings("unchecked")
  void thePlainWebSocketApiSendsAndReceivesACanvasImageAndTenMegabytes() throws Exception {
    browser.open(gateway.url() + "/");
    browser.js(BYTES + """
      const base = location.origin.replace(/^http/, 'ws') + '/ws?topics=canvas&binary=1';
      window.plain = { received: [], acks: [], errors: [] };
      window.sockets = {};
      const reader = new WebSocket(base);
      reader.binaryType = 'arraybuffer';
      const blobs = new WebSocket(base); // binaryType 'blob', the default
      const writer = new WebSocket(location.origin.replace(/^http/, 'ws') + '/ws?topics=other');
      window.sockets.writer = writer;
      reader.onmessage = (e) => { if (e.data instanceof ArrayBuffer) window.plain.received.push(
        { kind: 'arraybuffer', canvas: same(e.data, 512000, 1), big: e.data.byteLength === 10000000 && same(e.data, 10000000, 2) }); };
      blobs.onmessage = (e) => { if (e.data instanceof Blob) window.plain.received.push({ kind: 'blob', size: e.data.size }); };
      writer.onmessage = (e) => { const f = JSON.parse(e.data);
        if (f.op === 'ack') window.plain.acks.push(f.id); if (f.op === 'error') window.plain.errors.push(f.code); };
      let open = 0;
      const go = () => {
        if (++open < 3) return;
        // the canvas's pixels: 400 x 320 RGBA would be 512,000 bytes; what ws.send(uint8.buffer) sends
        const canvas = pattern(512000, 1);
        writer.send(JSON.stringify({ op: 'publish', topic: 'canvas', contentType: 'application/octet-stream', bytes: canvas.byteLength, ref: 'c' }));
        writer.send(canvas.buffer);
        const big = pattern(10000000, 2);
        writer.send(JSON.stringify({ op: 'publish', topic: 'canvas', contentType: 'application/octet-stream', bytes: big.byteLength, ref: 'b' }));
        writer.send(big.buffer);
        window.plain.bufferedAfterSend = writer.bufferedAmount;
      };
      reader.onopen = blobs.onopen = writer.onopen = go;
      """);
    browser.awaitJs("both acks", "return window.plain.acks.length + window.plain.errors.length >= 2");
    browser.awaitJs("both binaries on both sockets", "return window.plain.received.length >= 4");
    browser.awaitJs("the writer's buffer emptied", "return window.sockets.writer.bufferedAmount === 0");
    Map<String, Object> plain = (Map<String, Object>) browser.js("return window.plain");
    assertThat((List<Object>) plain.get("errors")).isEmpty();
    assertThat((List<Long>) plain.get("acks")).containsExactly(1L, 2L);
    List<Map<String, Object>> received = (List<Map<String, Object>>) plain.get("received");
    assertThat(received.stream().filter(r -> r.get("kind").equals("arraybuffer")).toList())
      .extracting(r -> r.get("canvas") + "/" + r.get("big")).containsExactly("true/false", "false/true");
    assertThat(received.stream().filter(r -> r.get("kind").equals("blob")).toList())
      .extracting(r -> r.get("size")).containsExactly(512000L, 10000000L);

    // plain EventSource and fetch polls get the same bytes in base64
    browser.js(BYTES + """
      const decode = (b64) => { const raw = atob(b64); const u8 = new Uint8Array(raw.length);
        for (let i = 0; i < raw.length; i++) u8[i] = raw.charCodeAt(i); return u8.buffer; };
      const check = (ev) => ev.encoding === 'base64' && ev.contentType === 'application/octet-stream'
        && (ev.id === 1 ? same(decode(ev.data), 512000, 1) : same(decode(ev.data), 10000000, 2));
      window.plainJson = { sse: [], poll: [] };
      const source = new EventSource('/sse?topics=canvas&cursor=canvas:0');
      source.onmessage = (e) => { window.plainJson.sse.push(check(JSON.parse(e.data)));
        if (window.plainJson.sse.length === 2) source.close(); };
      // an answer stops before maxQueueBytes: the ten megabytes come alone, with the next poll
      const poll = (cursor, seen) => fetch('/poll?topics=canvas&cursor=' + cursor).then((r) => r.json())
        .then((answer) => { seen.push(...answer.events.map(check));
          if (answer.more) poll(answer.cursor, seen); else window.plainJson.poll = seen; });
      poll('canvas:0', []);
      """);
    browser.awaitJs("EventSource and fetch got both events",
      "return window.plainJson.sse.length === 2 && window.plainJson.poll.length === 2");
    Map<String, Object> json = (Map<String, Object>) browser.js("return window.plainJson");
    assertThat((List<Boolean>) json.get("sse")).as("EventSource: the very bytes").containsExactly(true, true);
    assertThat((List<Boolean>) json.get("poll")).as("fetch poll: the very bytes").containsExactly(true, true);
    assertThat(browser.consoleErrors()).isEmpty();
  }

  @Test
  @SuppressWarnings("unchecked")
  void pushClientHandsEveryTransportTheSameBytesAmongJsonEvents() throws Exception {
    browser.open(gateway.url() + "/");
    browser.js(BYTES + """
      window.runs = {};
      for (const t of arguments[0]) {
        const run = { got: [] };
        const binaryType = t === 'sse' || t === 'short' ? 'arraybuffer' : 'blob';
        const client = new PushClient('', { topics: ['photos.' + t], transport: t, binaryType: binaryType });
        client.onmessage = (e) => {
          const ev = e.data;
          if (ev.data instanceof Blob) {
            // recorded in delivery order; its bytes are read after
            const got = { id: ev.id, kind: 'blob', type: ev.data.type, contentType: ev.contentType, same: null };
            run.got.push(got);
            ev.data.arrayBuffer().then((b) => { got.same = same(b, 300000, 3); });
          } else if (ev.data instanceof ArrayBuffer) {
            run.got.push({ id: ev.id, kind: 'arraybuffer', contentType: ev.contentType, same: same(ev.data, 300000, 3) });
          } else {
            run.got.push({ id: ev.id, kind: 'json', n: ev.data.n });
          }
        };
        run.client = client;
        window.runs[t] = run;
      }
      window.publisher = new PushClient('', { topics: ['other'], transport: 'ws' });
      // a publisher without a WebSocket posts its bytes
      window.poster = new PushClient('', { topics: ['other'], transport: 'short' });
      """, TRANSPORTS);
    browser.awaitJs("every client open",
      "return window.publisher.readyState === 1 && window.poster.readyState === 1"
        + " && arguments[0].every((t) => window.runs[t].client.readyState === 1)",
      TRANSPORTS);
    browser.jsAsync("""
      const done = arguments[arguments.length - 1];
      (async () => {
        for (const t of arguments[0]) {
          const by = t === 'ws' || t === 'long' ? window.publisher : window.poster;
          await by.publish('photos.' + t, { n: 1 });
          await by.publish('photos.' + t, new Blob([pattern(300000, 3)], { type: 'image/png' }));
          await by.publish('photos.' + t, { n: 3 });
        }
      })().then(() => done('ok'), (e) => done(String(e)));
      """, TRANSPORTS);
    browser.awaitJs("the publishers' buffers emptied",
      "return window.publisher.bufferedAmount === 0 && window.poster.bufferedAmount === 0");
    browser.awaitJs("three events on every transport, their bytes read",
      "return arguments[0].every((t) => window.runs[t].got.length >= 3 && window.runs[t].got.every((g) => g.same !== null))",
      TRANSPORTS);
    Map<String, Object> runs = (Map<String, Object>) browser.js("""
      const out = {};
      for (const t of Object.keys(window.runs)) { out[t] = window.runs[t].got; window.runs[t].client.close(); }
      window.publisher.close();
      window.poster.close();
      return out;
      """);
    for (String t : TRANSPORTS) {
      List<Map<String, Object>> got = (List<Map<String, Object>>) runs.get(t);
      assertThat(got).as(t).extracting(g -> g.get("id")).containsExactly(1L, 2L, 3L);
      Map<String, Object> binary = got.get(1);
      String kind = t.equals("sse") || t.equals("short") ? "arraybuffer" : "blob";
      assertThat(binary.get("kind")).as(t).isEqualTo(kind);
      assertThat(binary.get("same")).as(t + ": the very bytes").isEqualTo(true);
      assertThat(binary.get("contentType")).as(t).isEqualTo("image/png");
      if (kind.equals("blob")) {
        assertThat(binary.get("type")).as(t + ": the Blob has the event's type").isEqualTo("image/png");
      }
      assertThat(got.get(2).get("n")).isEqualTo(3L);
    }
    assertThat(browser.consoleErrors()).isEmpty();
  }
}
