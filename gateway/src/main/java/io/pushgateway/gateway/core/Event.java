package io.pushgateway.gateway.core;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * One accepted event. Immutable, and encoded exactly once, when the log accepts it: every
 * transport writes these same bytes to every subscriber.
 *
 * @param json     {@code {"topic":…,"id":…,"ts":…,"data":…}} as UTF-8
 * @param sseFrame the whole SSE event for a subscriber of this one topic:
 *                 {@code id: topic:id:epoch\ndata: <json>\n\n}; subscribers of several topics
 *                 get their own {@code id:} line (the cursor over all their topics) and
 *                 {@link #sseData()}
 * @param position where a subscriber stands after receiving this event; built once here, so a
 *                 live delivery (which moves the subscriber's position) allocates nothing
 */
public record Event(String topic, long id, long ts, String epoch, Buffer json, Buffer sseFrame, int sseDataOffset,
                    Position position) {

  private static final byte[] SSE_DATA = "\ndata: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SSE_END = "\n\n".getBytes(StandardCharsets.US_ASCII);

  /** Encodes an event whose data is already valid JSON text without line breaks. */
  public static Event encode(String topic, long id, long ts, String epoch, String dataJson) {
    // Topic names need no escaping (see Topics), so plain concatenation is valid JSON.
    String text = "{\"topic\":\"" + topic + "\",\"id\":" + id + ",\"ts\":" + ts + ",\"data\":" + dataJson + "}";
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    Position position = new Position(id, epoch);
    byte[] idLine = ("id: " + position.entry(topic)).getBytes(StandardCharsets.US_ASCII);
    Buffer sseFrame = Buffer.buffer(idLine.length + SSE_DATA.length + bytes.length + SSE_END.length)
      .appendBytes(idLine)
      .appendBytes(SSE_DATA)
      .appendBytes(bytes)
      .appendBytes(SSE_END);
    // interned: subscribers hold the same instance (see LiveStream.subscribe), so the fan-out's
    // topic lookups match by identity
    return new Event(topic.intern(), id, ts, epoch, Buffer.buffer(bytes), sseFrame, idLine.length + 1, position);
  }

  /** {@code data: <json>\n\n}: the SSE event without its {@code id:} line. */
  public Buffer sseData() {
    return sseFrame.slice(sseDataOffset, sseFrame.length());
  }
}
