package io.pushgateway.gateway.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A subscriber's place in its topics: {@code topic:id[:epoch]} entries joined by commas, meaning
 * "I have everything up to and including that id". Parsing is strict, so a malformed cursor is
 * refused ({@code invalid_cursor}) instead of silently restarting a stream.
 */
public final class Cursor {

  public static final Cursor EMPTY = new Cursor(Map.of());

  private static final int MAX_ID_DIGITS = 18;
  private static final int MAX_EPOCH_LENGTH = 64;
  /** The longest entry parsed, {@code topic:id:epoch}: what a request must have room for per topic. */
  public static final int MAX_ENTRY_LENGTH = Topics.MAX_LENGTH + 1 + MAX_ID_DIGITS + 1 + MAX_EPOCH_LENGTH;

  private static final int MAX_LENGTH = 64 * 1024;

  private final Map<String, Position> positions;

  private Cursor(Map<String, Position> positions) {
    this.positions = Collections.unmodifiableMap(positions);
  }

  public static Cursor of(Map<String, Position> positions) {
    return new Cursor(new LinkedHashMap<>(positions));
  }

  /** Parses a cursor; null or blank is the empty cursor. */
  public static Cursor parse(String text) {
    if (text == null || text.isBlank()) {
      return EMPTY;
    }
    if (text.length() > MAX_LENGTH) {
      throw invalid("cursor is longer than " + MAX_LENGTH + " characters");
    }
    Map<String, Position> positions = new LinkedHashMap<>();
    for (String entry : text.split(",", -1)) {
      String[] parts = entry.trim().split(":", -1);
      if (parts.length < 2 || parts.length > 3) {
        throw invalid("cursor entries are topic:id or topic:id:epoch, got '" + shorten(entry) + "'");
      }
      String topic = parts[0];
      if (!Topics.isValid(topic)) {
        throw invalid("cursor names an invalid topic in '" + shorten(entry) + "'");
      }
      long id = parseId(parts[1], entry);
      String epoch = parts.length == 3 ? parts[2] : null;
      if (epoch != null && !Topics.isPlainWord(epoch, MAX_EPOCH_LENGTH)) {
        throw invalid("cursor has an invalid epoch in '" + shorten(entry) + "'");
      }
      if (positions.put(topic, new Position(id, epoch)) != null) {
        throw invalid("cursor names topic '" + topic + "' twice");
      }
    }
    return new Cursor(positions);
  }

  public Position get(String topic) {
    return positions.get(topic);
  }

  public Map<String, Position> positions() {
    return positions;
  }

  public boolean isEmpty() {
    return positions.isEmpty();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    positions.forEach((topic, position) -> {
      if (sb.length() > 0) {
        sb.append(',');
      }
      sb.append(position.entry(topic));
    });
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cursor other && other.positions.equals(positions);
  }

  @Override
  public int hashCode() {
    return positions.hashCode();
  }

  private static long parseId(String text, String entry) {
    if (text.isEmpty() || text.length() > MAX_ID_DIGITS || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw invalid("cursor id must be a non-negative integer in '" + shorten(entry) + "'");
    }
    return Long.parseLong(text);
  }

  private static String shorten(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "…" : s;
  }

  private static GatewayException invalid(String message) {
    return new GatewayException(ErrorCode.INVALID_CURSOR, message);
  }
}
