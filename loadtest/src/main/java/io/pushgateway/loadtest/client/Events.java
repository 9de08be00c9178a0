package io.pushgateway.loadtest.client;

import io.pushgateway.loadtest.stats.SubscriberTracker;
import java.nio.ByteBuffer;
import java.util.Base64;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Reading the protocol's event objects and cursors, shared by all four clients. */
final class Events {
  private Events() {
  }

  /**
   * Hands one event {@code {"topic","id","ts","data":{"seq","t","p"}}} to the tracker; or a binary
   * event in base64 ({@code "data":"…","encoding":"base64"}), {@code seq} and {@code t} in its bytes.
   */
  static void deliver(JsonObject event, SubscriberTracker tracker) {
    // a patch (deltas) carries the seq and t that changed, the payload left out
    Object data = event.containsKey("patch") ? event.getValue("patch") : event.getValue("data");
    Long id = event.getLong("id");
    if (data instanceof String base64 && "base64".equals(event.getString("encoding")) && id != null) {
      deliverBase64(id, base64, 0, tracker);
      return;
    }
    if (!(data instanceof JsonObject d) || id == null || d.getLong("seq") == null || d.getLong("t") == null) {
      tracker.stats().errors.increment();
      return;
    }
    tracker.onEvent(id, d.getLong("seq"), d.getLong("t"));
  }

  /**
   * Reads an event frame without building a JSON tree, when it has the shape the gateway writes:
   * {@code "id":N} before {@code "data":{"seq":N,"t":N,...}}. The load generator does this once per
   * delivery, so it must be cheap; anything else (control frames, another layout) returns false and
   * goes through the full parser.
   */
  static boolean deliverFast(String text, SubscriberTracker tracker) {
    int data = text.indexOf("\"data\":{\"seq\":");
    int from = data + 7;
    if (data < 0) {
      // with deltas: the patch's seq and t
      data = text.indexOf("\"patch\":{\"seq\":");
      from = data + 8;
    }
    if (data < 0) {
      return false;
    }
    int idAt = text.lastIndexOf("\"id\":", data);
    if (idAt < 0 || text.lastIndexOf("\"op\":", data) >= 0) {
      return false;
    }
    int idEnd = digitsEnd(text, idAt + 5);
    return idEnd > idAt + 5 && deliverData(text, from, Long.parseLong(text, idAt + 5, idEnd, 10), tracker);
  }

  /**
   * The same for a peer's message, which is the publisher's data alone: {@code {"seq":N,"t":N,...}}
   * starting at {@code from} of {@code text}. False when it is not shaped so; the caller parses it.
   * Both peers' clients and the gateway's read their events at the same cost per delivery, so the
   * generator's ceiling is the same for every target.
   */
  static boolean deliverPeerFast(String text, int from, SubscriberTracker tracker) {
    return deliverData(text, from, NO_ID, tracker);
  }

  /** A peer's event has no id of the gateway's; a compact event's id may come from elsewhere. */
  static final long NO_ID = -1;

  /**
   * A compact event ({@code [alias,data]}, {@code [alias,data,id]}, {@code [alias,data,id,ts]}) of
   * the one topic (alias 0): its id is the third element, else {@code givenId} (an SSE id line's),
   * else the tracker's last + 1. False when {@code text} is no array; the caller parses it.
   */
  static boolean deliverCompact(String text, long givenId, SubscriberTracker tracker) {
    if (!text.startsWith("[")) {
      return false;
    }
    if (text.startsWith("[0,") && text.endsWith("}]") && deliverData(text, 3, derivedId(givenId, tracker), tracker)) {
      return true; // the usual one: the data, the id derived
    }
    if (text.startsWith("[-1,") && text.endsWith("}]") && deliverData(text, 4, derivedId(givenId, tracker), tracker)) {
      return true; // with deltas: a patch (alias 0's complement), the id derived
    }
    JsonArray event;
    try {
      event = new JsonArray(text);
    } catch (io.vertx.core.json.DecodeException e) {
      tracker.stats().errors.increment();
      return true;
    }
    deliverCompact(event, givenId, tracker);
    return true;
  }

  /** An id the compact event left out: the one given from elsewhere, else the tracker's last + 1. */
  private static long derivedId(long givenId, SubscriberTracker tracker) {
    return givenId != NO_ID ? givenId : tracker.lastId() + 1;
  }

  /**
   * A one-topic SSE stream's event in the compact format: the publisher's data alone, its id the
   * one of the {@code id:} line. False when it is not shaped so; the caller parses it.
   */
  static boolean deliverBare(String text, long id, SubscriberTracker tracker) {
    return id != NO_ID && deliverData(text, 0, id, tracker);
  }

  private static void deliverCompact(JsonArray event, long givenId, SubscriberTracker tracker) {
    long id = event.size() > 2 ? event.getLong(2) : derivedId(givenId, tracker);
    if (!(event.getValue(1) instanceof JsonObject d) || d.getLong("seq") == null || d.getLong("t") == null) {
      tracker.stats().errors.increment();
      return;
    }
    tracker.onEvent(id, d.getLong("seq"), d.getLong("t"));
  }

  /** The publisher's {@code {"seq":N,"t":N,...}} at {@code from}, with the event's id or {@link #NO_ID}. */
  private static boolean deliverData(String text, int from, long id, SubscriberTracker tracker) {
    if (!text.startsWith("{\"seq\":", from)) {
      return false;
    }
    int seqStart = from + 7;
    int seqEnd = digitsEnd(text, seqStart);
    if (seqEnd == seqStart || !text.startsWith(",\"t\":", seqEnd)) {
      return false;
    }
    int tStart = seqEnd + 5;
    int tEnd = digitsEnd(text, tStart);
    if (tEnd == tStart) {
      return false;
    }
    long seq = Long.parseLong(text, seqStart, seqEnd, 10);
    long t = Long.parseLong(text, tStart, tEnd, 10);
    if (id == NO_ID) {
      tracker.onPeerEvent(seq, t);
    } else {
      tracker.onEvent(id, seq, t);
    }
    return true;
  }

  /**
   * A binary event whose bytes came apart from its envelope (a WebSocket's binary frame): its
   * first 16 bytes are {@code seq} and {@code t}.
   */
  static void deliverBinary(long id, Buffer bytes, SubscriberTracker tracker) {
    if (bytes.length() < PayloadKind.BINARY_HEADER) {
      tracker.stats().errors.increment();
      return;
    }
    tracker.onEvent(id, bytes.getLong(0), bytes.getLong(8));
  }

  /**
   * A binary event in base64 starting at {@code from} of {@code text}: only the first 24
   * characters are decoded (18 bytes, the 16 of {@code seq} and {@code t} among them).
   */
  private static void deliverBase64(long id, String text, int from, SubscriberTracker tracker) {
    if (text.length() - from < 24) {
      tracker.stats().errors.increment();
      return;
    }
    byte[] head;
    try {
      head = Base64.getDecoder().decode(text.substring(from, from + 24));
    } catch (IllegalArgumentException e) {
      tracker.stats().errors.increment();
      return;
    }
    ByteBuffer b = ByteBuffer.wrap(head);
    tracker.onEvent(id, b.getLong(), b.getLong());
  }

  /**
   * The fast path for a binary event in base64, as SSE's {@code data:} line carries it:
   * {@code "id":N} before {@code "data":"<base64>"}, ending with {@code "encoding":"base64"}}.
   */
  static boolean deliverFastBase64(String text, SubscriberTracker tracker) {
    if (!text.endsWith(BASE64_END)) {
      return false;
    }
    int data = text.indexOf("\"data\":\"");
    int idAt = data < 0 ? -1 : text.lastIndexOf("\"id\":", data);
    if (idAt < 0) {
      return false;
    }
    int idEnd = digitsEnd(text, idAt + 5);
    if (idEnd == idAt + 5) {
      return false;
    }
    deliverBase64(Long.parseLong(text, idAt + 5, idEnd, 10), text, data + 8, tracker);
    return true;
  }

  private static final String BASE64_END = "\"encoding\":\"base64\"}";

  private static int digitsEnd(String s, int from) {
    int i = from;
    while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
      i++;
    }
    return i;
  }

  /** Applies a poll answer's resets (they come before their topic's events), then its events. */
  static void deliverPollAnswer(JsonObject body, SubscriberTracker tracker) {
    JsonArray resets = body.getJsonArray("resets");
    if (resets != null) {
      for (int i = 0; i < resets.size(); i++) {
        tracker.onReset(resets.getJsonObject(i).getLong("from", 1L));
      }
    }
    JsonArray events = body.getJsonArray("events");
    for (int i = 0; i < events.size(); i++) {
      if (events.getValue(i) instanceof JsonArray compact) {
        deliverCompact(compact, NO_ID, tracker);
      } else {
        deliver(events.getJsonObject(i), tracker);
      }
    }
  }

  /**
   * The id of {@code topic}'s entry in a cursor {@code t:id:epoch,...}, or in the compact cursor of
   * a one-topic subscription ({@code id.epoch}); -1 when there is none.
   */
  static long cursorId(String cursor, String topic) {
    if (cursor == null) {
      return -1;
    }
    if (cursor.indexOf(':') < 0) {
      int end = digitsEnd(cursor, 0);
      return end > 0 && end <= 18 ? Long.parseLong(cursor, 0, end, 10) : -1;
    }
    for (String entry : cursor.split(",")) {
      String[] f = entry.split(":");
      if (f.length >= 2 && f[0].equals(topic)) {
        try {
          return Long.parseLong(f[1]);
        } catch (NumberFormatException e) {
          return -1;
        }
      }
    }
    return -1;
  }
}
