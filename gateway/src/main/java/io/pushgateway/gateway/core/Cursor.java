package io.pushgateway.gateway.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A subscriber's place in its topics: {@code topic:id[:epoch]} entries joined by commas, meaning
 * "I have everything up to and including that id". Parsing is strict, so a malformed cursor is
 * refused ({@code invalid_cursor}) instead of silently restarting a stream.
 *
 * <p>The compact spelling names no topic: {@code id[.epoch]} entries in the order of the
 * subscription's topics, an entry without an epoch taking the one before it, an empty entry
 * meaning "no position". It never contains a colon, which tells the two spellings apart.
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

  /**
   * A cursor in one topic, what nearly every poll carries: one immutable entry instead of a linked
   * map, its table and its wrapper, garbage made once per poll.
   */
  private Cursor(Map.Entry<String, Position> only) {
    this.positions = Map.of(only.getKey(), only.getValue());
  }

  public static Cursor of(Map<String, Position> positions) {
    return new Cursor(new LinkedHashMap<>(positions));
  }

  /** Parses a cursor in its full spelling; null or blank is the empty cursor. */
  public static Cursor parse(String text) {
    return parse(text, List.of());
  }

  /**
   * Parses a cursor in either spelling, the compact one's entries standing for {@code topics} in
   * order; null or blank is the empty cursor.
   */
  public static Cursor parse(String text, List<String> topics) {
    if (text == null || text.isBlank()) {
      return EMPTY;
    }
    if (text.length() > MAX_LENGTH) {
      throw invalid("cursor is longer than " + MAX_LENGTH + " characters");
    }
    if (text.indexOf(':') < 0) {
      return parseCompact(text, topics);
    }
    // by index, not split: a poll parses a cursor per request, so its garbage is per request too
    if (text.indexOf(',') < 0) {
      return new Cursor(parseEntry(text, 0, text.length()));
    }
    Map<String, Position> positions = new LinkedHashMap<>();
    for (int start = 0, comma; start <= text.length(); start = comma + 1) {
      comma = text.indexOf(',', start);
      if (comma < 0) {
        comma = text.length();
      }
      Map.Entry<String, Position> entry = parseEntry(text, start, comma);
      if (positions.put(entry.getKey(), entry.getValue()) != null) {
        throw invalid("cursor names topic '" + entry.getKey() + "' twice");
      }
    }
    return new Cursor(positions);
  }

  /** The entry {@code topic:id[:epoch]} between {@code from} and {@code to}, spaces around it ignored. */
  private static Map.Entry<String, Position> parseEntry(String text, int from, int to) {
    int start = from;
    int end = to;
    while (start < end && text.charAt(start) <= ' ') {
      start++;
    }
    while (end > start && text.charAt(end - 1) <= ' ') {
      end--;
    }
    int idColon = indexOf(text, ':', start, end);
    int epochColon = idColon < 0 ? -1 : indexOf(text, ':', idColon + 1, end);
    if (idColon < 0 || epochColon >= 0 && indexOf(text, ':', epochColon + 1, end) >= 0) {
      throw invalid("cursor entries are topic:id or topic:id:epoch, got '" + shorten(text.substring(from, to)) + "'");
    }
    String topic = text.substring(start, idColon);
    if (!Topics.isValid(topic)) {
      throw invalid("cursor names an invalid topic in '" + shorten(text.substring(from, to)) + "'");
    }
    long id = digits(text, idColon + 1, epochColon < 0 ? end : epochColon);
    if (id < 0) {
      throw invalidId(text.substring(from, to));
    }
    String epoch = epochColon < 0 ? null : text.substring(epochColon + 1, end);
    if (epoch != null && !Topics.isPlainWord(epoch, MAX_EPOCH_LENGTH)) {
      throw invalid("cursor has an invalid epoch in '" + shorten(text.substring(from, to)) + "'");
    }
    return Map.entry(topic, new Position(id, epoch));
  }

  /** Where {@code c} first is between {@code from} and {@code to}, or -1. */
  private static int indexOf(String text, char c, int from, int to) {
    int at = text.indexOf(c, from);
    return at < to ? at : -1;
  }

  private static Cursor parseCompact(String text, List<String> topics) {
    String[] entries = text.split(",", -1);
    if (entries.length > topics.size()) {
      throw invalid("a compact cursor has one entry per subscribed topic, in order: got " + entries.length
        + " for " + topics.size());
    }
    Map<String, Position> positions = new LinkedHashMap<>();
    String epoch = null;
    for (int i = 0; i < entries.length; i++) {
      String entry = entries[i].trim();
      if (entry.isEmpty()) {
        continue;
      }
      int dot = entry.indexOf('.');
      long id = digits(entry, 0, dot < 0 ? entry.length() : dot);
      if (id < 0) {
        throw invalidId(entry);
      }
      if (dot >= 0) {
        epoch = entry.substring(dot + 1);
        if (!Topics.isPlainWord(epoch, MAX_EPOCH_LENGTH)) {
          throw invalid("cursor has an invalid epoch in '" + shorten(entry) + "'");
        }
      }
      positions.put(topics.get(i), new Position(id, epoch));
    }
    return new Cursor(positions);
  }

  /**
   * The compact spelling for a subscription to {@code topics}, in their order: {@code id.epoch},
   * the epoch left out where it repeats the entry before.
   */
  public String toCompactString(List<String> topics) {
    StringBuilder sb = new StringBuilder();
    String lastEpoch = null;
    for (int i = 0; i < topics.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      Position position = positions.get(topics.get(i));
      if (position != null) {
        sb.append(position.id());
        if (position.epoch() != null && !position.epoch().equals(lastEpoch)) {
          sb.append('.').append(position.epoch());
          lastEpoch = position.epoch();
        }
      }
    }
    return sb.toString();
  }

  /** This cursor with {@code topic} at {@code position}, at the end if it was not there: one copy. */
  public Cursor with(String topic, Position position) {
    if (positions.isEmpty() || positions.size() == 1 && positions.containsKey(topic)) {
      return new Cursor(Map.entry(topic, position));
    }
    Map<String, Position> moved = new LinkedHashMap<>(positions);
    moved.put(topic, position);
    return new Cursor(moved);
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

  /** The id spelt by the digits between {@code from} and {@code to}, read in place; -1 if it is none. */
  private static long digits(String text, int from, int to) {
    if (to <= from || to - from > MAX_ID_DIGITS) {
      return -1;
    }
    for (int i = from; i < to; i++) {
      if (text.charAt(i) < '0' || text.charAt(i) > '9') {
        return -1;
      }
    }
    return Long.parseLong(text, from, to, 10);
  }

  private static GatewayException invalidId(String entry) {
    return invalid("cursor id must be a non-negative integer in '" + shorten(entry) + "'");
  }

  private static String shorten(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "…" : s;
  }

  private static GatewayException invalid(String message) {
    return new GatewayException(ErrorCode.INVALID_CURSOR, message);
  }
}
