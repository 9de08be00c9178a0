package io.pushgateway.gateway.core;

import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One accepted event: topic, id, timestamp, epoch and its JSON, serialized once by the log.
 * Immutable, and shared by reference by every event loop of the node (see {@link LocalCodec}).
 *
 * <p>What it looks like on a wire (a WebSocket frame, an SSE chunk) is not the core's business:
 * the wire layer builds those forms once per event and keeps them in {@link #wireForms()}, a
 * write-once slot the core never interprets, so every subscriber on the node gets the same bytes.
 */
public final class Event {

  private final String topic;
  private final long id;
  private final long ts;
  private final String epoch;
  /** {@code {"topic":…,"id":…,"ts":…,"data":…}} in UTF-8; never handed out, only copied. */
  private final byte[] json;
  private final Position position;
  private volatile Object wireForms;

  private Event(String topic, long id, long ts, String epoch, byte[] json) {
    this.topic = topic;
    this.id = id;
    this.ts = ts;
    this.epoch = epoch;
    this.json = json;
    this.position = new Position(id, epoch);
  }

  /** Encodes an event whose data is already valid JSON text without line breaks. */
  public static Event encode(String topic, long id, long ts, String epoch, String dataJson) {
    // Topic names need no escaping (see Topics), so plain concatenation is valid JSON.
    String text = "{\"topic\":\"" + topic + "\",\"id\":" + id + ",\"ts\":" + ts + ",\"data\":" + dataJson + "}";
    // interned: subscribers hold the same instance (see LiveStream.subscribe), so the fan-out's
    // topic lookups match by identity
    return new Event(topic.intern(), id, ts, epoch, text.getBytes(StandardCharsets.UTF_8));
  }

  public String topic() {
    return topic;
  }

  public long id() {
    return id;
  }

  /** When the log accepted it, epoch milliseconds. */
  public long ts() {
    return ts;
  }

  public String epoch() {
    return epoch;
  }

  /** The length of {@code {"topic":…,"id":…,"ts":…,"data":…}} in UTF-8. */
  public int jsonLength() {
    return json.length;
  }

  /** Copies {@code {"topic":…,"id":…,"ts":…,"data":…}}, UTF-8, to the end of {@code into}. */
  public void appendJson(Buffer into) {
    into.appendBytes(json);
  }

  /** The same JSON as a read-only view, for whoever builds another form of the event from it. */
  public ByteBuffer json() {
    return ByteBuffer.wrap(json).asReadOnlyBuffer();
  }

  /**
   * Where a subscriber stands after receiving this event; built once here, so a live delivery
   * (which moves the subscriber's position) allocates nothing.
   */
  public Position position() {
    return position;
  }

  /** What the wire layer derived from this event, or null before anyone asked; opaque to the core. */
  public Object wireForms() {
    return wireForms;
  }

  /**
   * Keeps {@code forms} unless another thread got there first; returns what is kept. Write-once,
   * so every event loop ends up with the same forms and the same bytes.
   */
  public Object wireFormsIfAbsent(Object forms) {
    Object kept = wireForms;
    if (kept != null) {
      return kept;
    }
    synchronized (this) {
      if (wireForms == null) {
        wireForms = forms;
      }
      return wireForms;
    }
  }

  @Override
  public String toString() {
    return topic + ":" + id + ":" + epoch;
  }
}
