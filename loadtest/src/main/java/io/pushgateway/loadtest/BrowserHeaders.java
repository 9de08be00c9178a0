package io.pushgateway.loadtest;

import io.vertx.core.MultiMap;

/**
 * Request headers a desktop browser sends with every XHR, EventSource and WebSocket handshake
 * (about 400 bytes). Polling repeats them on every request, push only once per connection, so
 * {@code --headers browser} shows that cost; the default sends only what HTTP/1.1 needs.
 * Accept-Encoding and Origin are left out: the load client does not decompress, and the gateway
 * by default serves only requests from its own origin or without one.
 */
final class BrowserHeaders {
  private BrowserHeaders() {
  }

  static MultiMap get() {
    return MultiMap.caseInsensitiveMultiMap()
      .add("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        + "Chrome/131.0.0.0 Safari/537.36")
      .add("Accept", "*/*")
      .add("Accept-Language", "en-US,en;q=0.9")
      .add("Cache-Control", "no-cache")
      .add("Pragma", "no-cache")
      .add("Referer", "http://127.0.0.1/")
      .add("Sec-Fetch-Dest", "empty")
      .add("Sec-Fetch-Mode", "cors")
      .add("Sec-Fetch-Site", "same-origin")
      .add("sec-ch-ua", "\"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\"")
      .add("sec-ch-ua-mobile", "?0")
      .add("sec-ch-ua-platform", "\"Linux\"");
  }
}
