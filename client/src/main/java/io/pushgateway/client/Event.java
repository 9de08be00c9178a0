package io.pushgateway.client;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;

/** One event of a topic, delivered once and in id order per topic. */
public final class Event {

  private final String topic;
  private final long id;
  private final long ts;
  private final String dataJson;

  Event(String topic, long id, long ts, String dataJson) {
    this.topic = topic;
    this.id = id;
    this.ts = ts;
    this.dataJson = dataJson;
  }

  public String topic() {
    return topic;
  }

  public long id() {
    return id;
  }

  /** When the gateway accepted it, epoch milliseconds. */
  public long ts() {
    return ts;
  }

  /** The publisher's data as JSON text. */
  public String dataJson() {
    return dataJson;
  }

  /** The data, parsed. */
  public JsonElement data() {
    return JsonParser.parseString(dataJson);
  }

  @Override
  public String toString() {
    return topic + ":" + id;
  }
}
