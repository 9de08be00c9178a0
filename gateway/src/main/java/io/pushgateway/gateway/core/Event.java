package io.pushgateway.gateway.core;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * One accepted event. Immutable, and encoded exactly once, when the log accepts it: every
 * transport writes these same bytes to every subscriber.
 *
 * @param json    {@code {"topic":…,"id":…,"ts":…,"data":…}} as UTF-8
 * @param sseData {@code data: <json>\n\n}, the tail of an SSE event (its {@code id:} line differs
 *                per subscriber, because it is the cursor over all of that subscriber's topics)
 */
public record Event(String topic, long id, long ts, String epoch, Buffer json, Buffer sseData) {

  private static final byte[] SSE_DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SSE_END = "\n\n".getBytes(StandardCharsets.US_ASCII);

  /** Encodes an event whose data is already valid JSON text without line breaks. */
  public static Event encode(String topic, long id, long ts, String epoch, String dataJson) {
    // Topic names need no escaping (see Topics), so plain concatenation is valid JSON.
    String text = "{\"topic\":\"" + topic + "\",\"id\":" + id + ",\"ts\":" + ts + ",\"data\":" + dataJson + "}";
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    Buffer json = Buffer.buffer(bytes);
    Buffer sseData = Buffer.buffer(SSE_DATA.length + bytes.length + SSE_END.length)
      .appendBytes(SSE_DATA)
      .appendBytes(bytes)
      .appendBytes(SSE_END);
    return new Event(topic, id, ts, epoch, json, sseData);
  }

  /** Where a subscriber stands after receiving this event. */
  public Position position() {
    return new Position(id, epoch);
  }
}
