package io.pushgateway.gateway.wire;

import io.vertx.core.json.Json;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A JSON Merge Patch (RFC 7386) that turns one event's data into the next one's, for subscribers
 * that asked for deltas (docs/PROTOCOL.md, "Deltas"). Both are JSON text already checked (see
 * {@link JsonText}); the patch is built from their spans, so every value in it is the publisher's
 * own bytes, never decoded and encoded again.
 *
 * <p>A merge patch cannot say "set to null" (null removes a member), so data whose changed part
 * holds a null member gets no patch, nor does data that is not an object or has a member twice.
 * Neither does data whose patch would be no shorter than the data itself: a delta is sent only
 * where it saves bytes. Nor does a change nested deeper than {@link #MAX_DEPTH} objects: each
 * level scans what it holds again, so the depth bounds the work a publisher can cause per event.
 */
public final class MergePatch {

  /** Objects within objects a patch goes down through. */
  static final int MAX_DEPTH = 32;

  private MergePatch() {
  }

  /** The patch from {@code base} to {@code target}, UTF-8 JSON text; null where none pays or none exists. */
  public static byte[] between(byte[] base, byte[] target) {
    Scan from = new Scan(base);
    Scan to = new Scan(target);
    int fromStart = from.skipSpace(0);
    int toStart = to.skipSpace(0);
    if (fromStart >= base.length || toStart >= target.length || base[fromStart] != '{' || target[toStart] != '{') {
      return null;
    }
    ByteArrayOutputStream patch = new ByteArrayOutputStream(Math.min(target.length, 256));
    if (!diff(from, fromStart, to, toStart, patch, 1)) {
      return null;
    }
    return patch.size() < target.length - toStart ? patch.toByteArray() : null;
  }

  /** Writes the patch from the object at {@code a}'s {@code from} to {@code b}'s at {@code to}; false if none exists. */
  private static boolean diff(Scan a, int from, Scan b, int to, ByteArrayOutputStream patch, int depth) {
    if (depth > MAX_DEPTH) {
      return false;
    }
    Map<String, int[]> before = a.members(from);
    Map<String, int[]> after = b.members(to);
    if (before == null || after == null) {
      return false;
    }
    patch.write('{');
    boolean first = true;
    for (Map.Entry<String, int[]> member : after.entrySet()) {
      int[] now = member.getValue();
      int[] was = before.get(member.getKey());
      if (was != null && a.sameBytes(was, b, now)) {
        continue;
      }
      first = comma(patch, first);
      b.copy(now[0], now[1], patch); // the key as the publisher spelled it
      patch.write(':');
      if (b.isNull(now[2])) {
        return false; // "set to null" has no merge patch
      }
      if (was != null && a.isObject(was[2]) && b.isObject(now[2])) {
        if (!diff(a, was[2], b, now[2], patch, depth + 1)) {
          return false;
        }
      } else if (b.isObject(now[2])) {
        // a new object replaces what was there by merging into nothing: its null members would vanish
        if (!diff(new Scan(EMPTY_OBJECT), 0, b, now[2], patch, depth + 1)) {
          return false;
        }
      } else {
        b.copy(now[2], now[3], patch);
      }
    }
    for (Map.Entry<String, int[]> member : before.entrySet()) {
      if (!after.containsKey(member.getKey())) {
        first = comma(patch, first);
        int[] was = member.getValue();
        a.copy(was[0], was[1], patch);
        patch.writeBytes(COLON_NULL);
      }
    }
    patch.write('}');
    return true;
  }

  private static final byte[] EMPTY_OBJECT = {'{', '}'};
  private static final byte[] COLON_NULL = ":null".getBytes(StandardCharsets.US_ASCII);

  private static boolean comma(ByteArrayOutputStream patch, boolean first) {
    if (!first) {
      patch.write(',');
    }
    return false;
  }

  /** Spans of checked JSON text: where values start and end, without decoding them. */
  private static final class Scan {
    private final byte[] json;

    Scan(byte[] json) {
      this.json = json;
    }

    int skipSpace(int i) {
      while (i < json.length && (json[i] == ' ' || json[i] == '\t' || json[i] == '\n' || json[i] == '\r')) {
        i++;
      }
      return i;
    }

    boolean isObject(int at) {
      return json[at] == '{';
    }

    boolean isNull(int at) {
      return json[at] == 'n';
    }

    /**
     * The object at {@code at}: per decoded key, {keyStart, keyEnd, valueStart, valueEnd}, in
     * order; null if a key comes twice (which one counts is up to each parser).
     */
    Map<String, int[]> members(int at) {
      Map<String, int[]> members = new LinkedHashMap<>();
      int i = skipSpace(at + 1);
      if (json[i] == '}') {
        return members;
      }
      while (true) {
        int keyEnd = stringEnd(i);
        String key = decodedString(i, keyEnd);
        int valueStart = skipSpace(skipSpace(keyEnd) + 1); // past the colon
        int valueEnd = valueEnd(valueStart);
        if (members.put(key, new int[] {i, keyEnd, valueStart, valueEnd}) != null) {
          return null;
        }
        i = skipSpace(valueEnd);
        if (json[i] == '}') {
          return members;
        }
        i = skipSpace(i + 1); // past the comma
      }
    }

    /** Where the value starting at {@code i} ends (exclusive). */
    int valueEnd(int i) {
      byte c = json[i];
      if (c == '"') {
        return stringEnd(i);
      }
      if (c == '{' || c == '[') {
        int depth = 0;
        while (true) {
          c = json[i];
          if (c == '"') {
            i = stringEnd(i);
            continue;
          }
          if (c == '{' || c == '[') {
            depth++;
          } else if ((c == '}' || c == ']') && --depth == 0) {
            return i + 1;
          }
          i++;
        }
      }
      while (i < json.length && c != ',' && c != '}' && c != ']' && c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        c = ++i < json.length ? json[i] : 0;
      }
      return i;
    }

    /** Where the string whose quote is at {@code i} ends, past its closing quote. */
    int stringEnd(int i) {
      i++;
      while (json[i] != '"') {
        i += json[i] == '\\' ? 2 : 1;
      }
      return i + 1;
    }

    private String decodedString(int start, int end) {
      String raw = new String(json, start + 1, end - start - 2, StandardCharsets.UTF_8);
      return raw.indexOf('\\') < 0 ? raw : Json.decodeValue("\"" + raw + "\"").toString();
    }

    boolean sameBytes(int[] span, Scan other, int[] otherSpan) {
      return Arrays.equals(json, span[2], span[3], other.json, otherSpan[2], otherSpan[3]);
    }

    void copy(int start, int end, ByteArrayOutputStream into) {
      into.write(json, start, end - start);
    }
  }
}
