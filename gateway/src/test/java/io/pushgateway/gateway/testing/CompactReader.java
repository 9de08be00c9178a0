package io.pushgateway.gateway.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A test client's reading of the compact format, written from the protocol page: an event is
 * {@code [alias,data]}, {@code [alias,data,id]} or {@code [alias,data,id,ts]}; the alias names a
 * topic (its place in {@code topics=}, or what a {@code subscribed} frame says), and an id left
 * out is the topic's previous one + 1. It turns each event back into the full JSON object, so the
 * same assertions hold in both formats.
 */
public final class CompactReader {

  private final Map<Integer, String> aliases = new HashMap<>();
  private final Map<String, Long> last = new HashMap<>();
  private List<String> order = List.of();
  private final boolean timestamps;

  /** {@code timestamps}: the client asked for them ({@code ts=1}). */
  public CompactReader(boolean timestamps) {
    this.timestamps = timestamps;
  }

  /** The subscription's topics, in order (their aliases), and the cursor it opened with. */
  public void subscription(List<String> topics, String cursor) {
    order = List.copyOf(topics);
    for (int i = 0; i < topics.size(); i++) {
      aliases.put(i, topics.get(i));
    }
    seed(cursor);
  }

  /** Where the client stands, from a cursor in either spelling (null: nowhere yet). */
  public void seed(String cursor) {
    ids(cursor).forEach(last::put);
  }

  public void alias(int alias, String topic) {
    aliases.put(alias, topic);
  }

  public boolean knows(String topic) {
    return last.containsKey(topic);
  }

  /** The client stands at {@code id} of {@code topic} (a subscribed frame, a reset's from − 1). */
  public void at(String topic, long id) {
    last.put(topic, id);
  }

  /** The full event for a compact one; {@code given} ids (an SSE id line's) come from outside. */
  public JsonObject expand(JsonArray compact, Map<String, Long> given) {
    // a negative alias is its complement, before a patch instead of data (deltas)
    int alias = compact.getInteger(0);
    String topic = aliases.get(alias < 0 ? ~alias : alias);
    if (topic == null) {
      throw new IllegalStateException("an event of an unknown alias: " + compact.encode());
    }
    long eventId;
    if (compact.size() > 2) {
      eventId = compact.getLong(2);
    } else if (given.containsKey(topic)) {
      eventId = given.get(topic);
    } else if (last.containsKey(topic)) {
      eventId = last.get(topic) + 1;
    } else {
      throw new IllegalStateException("no id given and none to derive it from: " + compact.encode());
    }
    last.put(topic, eventId);
    JsonObject event = new JsonObject().put("topic", topic).put("id", eventId)
      .put(alias < 0 ? "patch" : "data", compact.getValue(1));
    if (compact.size() > 3) {
      event.put("ts", compact.getLong(3));
    }
    return event;
  }

  /**
   * An SSE event's data in the compact format: an array, or with one topic and no timestamps the
   * data alone; its id is the one in the id line ({@code given}).
   */
  public JsonObject expandSse(String data, Map<String, Long> given) {
    return expandSse(data, given, false);
  }

  /** The same for an event of type {@code patch} ({@code patch}): with one topic, a patch alone. */
  public JsonObject expandSse(String data, Map<String, Long> given, boolean patch) {
    if (order.size() == 1 && !timestamps) {
      String topic = order.get(0);
      long id = given.get(topic);
      last.put(topic, id);
      return new JsonObject().put("topic", topic).put("id", id)
        .put(patch ? "patch" : "data", io.vertx.core.json.Json.decodeValue(data));
    }
    return expand(new JsonArray(data), given);
  }

  /** An event spelled in full (a binary one): it moves the client on all the same. */
  public JsonObject saw(JsonObject event) {
    last.put(event.getString("topic"), event.getLong("id"));
    return event;
  }

  /** The ids of a cursor in either spelling, by topic. */
  public Map<String, Long> ids(String cursor) {
    Map<String, Long> ids = new LinkedHashMap<>();
    if (cursor == null || cursor.isBlank()) {
      return ids;
    }
    String[] entries = cursor.split(",", -1);
    for (int i = 0; i < entries.length; i++) {
      String entry = entries[i];
      if (entry.isEmpty()) {
        continue;
      }
      if (cursor.contains(":")) {
        String[] parts = entry.split(":");
        ids.put(parts[0], Long.parseLong(parts[1]));
      } else {
        int dot = entry.indexOf('.');
        ids.put(order.get(i), Long.parseLong(dot < 0 ? entry : entry.substring(0, dot)));
      }
    }
    return ids;
  }

  /** A compact cursor in the full spelling ({@code topic:id:epoch}); a full one as it is. */
  public String named(String cursor) {
    if (cursor == null || cursor.contains(":") || cursor.isBlank()) {
      return cursor;
    }
    StringBuilder sb = new StringBuilder();
    String epoch = null;
    String[] entries = cursor.split(",", -1);
    for (int i = 0; i < entries.length; i++) {
      String entry = entries[i];
      if (entry.isEmpty()) {
        continue;
      }
      int dot = entry.indexOf('.');
      if (dot >= 0) {
        epoch = entry.substring(dot + 1);
      }
      sb.append(sb.length() == 0 ? "" : ",").append(order.get(i)).append(':')
        .append(dot < 0 ? entry : entry.substring(0, dot)).append(epoch == null ? "" : ":" + epoch);
    }
    return sb.toString();
  }
}
