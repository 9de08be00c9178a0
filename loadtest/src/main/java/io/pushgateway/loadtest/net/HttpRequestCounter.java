package io.pushgateway.loadtest.net;

import io.vertx.core.buffer.Buffer;
import java.util.Locale;

/**
 * Counts HTTP/1.x requests in one connection's client to server byte stream (RFC 9112):
 * request heads up to the empty line, bodies by Content-Length or chunked framing, pipelining.
 * After a request with an Upgrade header the rest of the stream is opaque (WebSocket frames).
 * Anything that does not parse as HTTP/1.x also switches the connection to opaque.
 */
final class HttpRequestCounter {
  private static final int MAX_HEAD = 64 * 1024;

  private enum Mode { HEAD, BODY, CHUNK_SIZE, CHUNK_DATA, TRAILER, OPAQUE }

  private final TrafficCounters counters;
  private final Runnable upgraded;
  private Mode mode = Mode.HEAD;
  private final StringBuilder line = new StringBuilder();
  private final StringBuilder head = new StringBuilder();
  private long remaining;

  /** {@code upgraded}: told of a request with an Upgrade header, the stream's last. */
  HttpRequestCounter(TrafficCounters counters, Runnable upgraded) {
    this.counters = counters;
    this.upgraded = upgraded;
  }

  void feed(Buffer chunk) {
    int n = chunk.length();
    int i = 0;
    while (i < n && mode != Mode.OPAQUE) {
      if (mode == Mode.BODY || mode == Mode.CHUNK_DATA) {
        int take = (int) Math.min(remaining, n - i);
        i += take;
        remaining -= take;
        if (remaining == 0) {
          mode = mode == Mode.BODY ? Mode.HEAD : Mode.CHUNK_SIZE;
        }
        continue;
      }
      byte b = chunk.getByte(i++);
      if (b == '\n') {
        onLine(stripCr(line));
        line.setLength(0);
      } else {
        line.append((char) (b & 0xff));
        if (line.length() > MAX_HEAD) {
          mode = Mode.OPAQUE;
        }
      }
    }
  }

  private static String stripCr(StringBuilder sb) {
    int len = sb.length();
    return len > 0 && sb.charAt(len - 1) == '\r' ? sb.substring(0, len - 1) : sb.toString();
  }

  private void onLine(String text) {
    switch (mode) {
      case HEAD -> {
        if (text.isEmpty()) {
          if (head.length() > 0) {
            onHead(head.toString());
            head.setLength(0);
          }
        } else {
          head.append(text).append('\n');
          if (head.length() > MAX_HEAD) {
            mode = Mode.OPAQUE;
          }
        }
      }
      case CHUNK_SIZE -> {
        try {
          long size = Long.parseLong(text.split(";", 2)[0].trim(), 16);
          if (size == 0) {
            mode = Mode.TRAILER;
          } else {
            remaining = size + 2; // chunk data plus its CRLF
            mode = Mode.CHUNK_DATA;
          }
        } catch (NumberFormatException e) {
          mode = Mode.OPAQUE;
        }
      }
      case TRAILER -> {
        if (text.isEmpty()) {
          mode = Mode.HEAD;
        }
      }
      default -> { }
    }
  }

  private void onHead(String text) {
    String[] lines = text.split("\n");
    if (!lines[0].matches("[A-Z]+ \\S+ HTTP/1\\.[01]")) {
      mode = Mode.OPAQUE;
      return;
    }
    counters.httpRequests.increment();
    long contentLength = 0;
    boolean chunked = false;
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = lines[i].substring(colon + 1).trim();
      switch (name) {
        case "content-length" -> contentLength = parseLong(value);
        case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
        case "upgrade" -> {
          upgraded.run();
          mode = Mode.OPAQUE;
          return;
        }
        default -> { }
      }
    }
    if (chunked) {
      mode = Mode.CHUNK_SIZE;
    } else if (contentLength > 0) {
      remaining = contentLength;
      mode = Mode.BODY;
    }
  }

  private static long parseLong(String v) {
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
