package io.pushgateway.client;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;

/**
 * One event of a topic, delivered once and in id order per topic: JSON data, or bytes with their
 * content type (a binary event: {@link #isBinary()}, {@link #bytes()}).
 */
public final class Event {

  private final String topic;
  private final long id;
  private final long ts;
  private final String dataJson;
  private final byte[] bytes;
  private final String contentType;

  Event(String topic, long id, long ts, String dataJson) {
    this(topic, id, ts, dataJson, null, null);
  }

  Event(String topic, long id, long ts, String dataJson, byte[] bytes, String contentType) {
    this.topic = topic;
    this.id = id;
    this.ts = ts;
    this.dataJson = dataJson;
    this.bytes = bytes;
    this.contentType = contentType;
  }

  public String topic() {
    return topic;
  }

  public long id() {
    return id;
  }

  /** When the gateway accepted it, epoch milliseconds; 0 in the compact format, which leaves it out. */
  public long ts() {
    return ts;
  }

  /** The publisher's data as JSON text; null for a binary event. */
  public String dataJson() {
    return dataJson;
  }

  /** The data, parsed; null for a binary event. */
  public JsonElement data() {
    return dataJson == null ? null : JsonParser.parseString(dataJson);
  }

  /** Whether the event carries bytes rather than JSON. */
  public boolean isBinary() {
    return bytes != null;
  }

  /** A binary event's bytes (a copy), null for JSON data. */
  public byte[] bytes() {
    return bytes == null ? null : bytes.clone();
  }

  /** A binary event's media type, such as {@code image/png}; null for JSON data. */
  public String contentType() {
    return contentType;
  }

  @Override
  public String toString() {
    return topic + ":" + id;
  }
}
