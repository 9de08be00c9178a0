package io.pushgateway.loadtest.client;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Incremental {@code text/event-stream} parser (WHATWG HTML, "Server-sent events", parsing an event
 * stream): lines end in CRLF, LF or CR; {@code data:} lines join with LF; {@code id:} sets the last
 * event id; a blank line dispatches; lines starting with a colon are comments (keep-alives).
 */
final class SseParser {

  /** Receives each dispatched event. */
  interface Listener {
    void onEvent(String type, String data, String lastEventId);
  }

  private final Listener listener;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
  private final StringBuilder data = new StringBuilder();
  private String type;
  private String lastEventId;
  private boolean hasData;
  private boolean afterCr;

  SseParser(Listener listener) {
    this.listener = listener;
  }

  void feed(Buffer chunk) {
    int n = chunk.length();
    for (int i = 0; i < n; i++) {
      byte b = chunk.getByte(i);
      if (afterCr && b == '\n') {
        afterCr = false;
        continue;
      }
      afterCr = b == '\r';
      if (b == '\n' || b == '\r') {
        onLine(line.toString(StandardCharsets.UTF_8));
        line.reset();
      } else {
        line.write(b);
      }
    }
  }

  private void onLine(String text) {
    if (text.isEmpty()) {
      if (hasData) {
        listener.onEvent(type, data.toString(), lastEventId);
      }
      data.setLength(0);
      hasData = false;
      type = null;
      return;
    }
    if (text.charAt(0) == ':') {
      return;
    }
    int colon = text.indexOf(':');
    String field = colon < 0 ? text : text.substring(0, colon);
    String value = colon < 0 ? "" : text.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    switch (field) {
      case "data" -> {
        if (hasData) {
          data.append('\n');
        }
        data.append(value);
        hasData = true;
      }
      case "id" -> lastEventId = value;
      case "event" -> type = value;
      default -> { }
    }
  }
}
