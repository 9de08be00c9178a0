package io.pushgateway.gateway.transport.poll;

import io.pushgateway.gateway.core.Cursor;
import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.core.Position;
import io.pushgateway.gateway.core.ReadRequest;
import io.pushgateway.gateway.core.ReadResult;
import io.pushgateway.gateway.core.Reset;
import io.pushgateway.gateway.transport.EventFormat;
import io.pushgateway.gateway.wire.EncodedEvent;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code {"events":[…],"cursor":"…","resets":[…],"more":…}}, the one body of both polls. Events
 * are copied in as bytes encoded once per event, never re-serialized. In the compact format the
 * events are arrays and the cursor is spelled compactly, both after the polled topics' order.
 */
final class PollAnswer {

  private PollAnswer() {
  }

  /**
   * The answer to a poll that {@code asked}: a compact event leaves out an id the asked cursor
   * implies; with deltas, an event right after one the client holds (its cursor's, or the one
   * before it in the answer) is a patch.
   */
  static Buffer encode(ReadResult result, ReadRequest asked, EventFormat format) {
    if (!format.compact() && !format.deltas()) {
      return encode(result.events(), null, result.cursor(), null, result.resets(), result.more());
    }
    Map<String, Position> known = new HashMap<>(asked.cursor().positions());
    // a poll asking for deltas holds the data at its cursor (docs/PROTOCOL.md, "Deltas"), not past a reset
    Map<String, Position> held = new HashMap<>(known);
    for (Reset reset : result.resets()) {
      known.put(reset.topic(), new Position(reset.from() - 1, reset.epoch()));
      held.remove(reset.topic());
    }
    int[] spellings = new int[result.events().size()];
    for (int i = 0; i < spellings.length; i++) {
      Event event = result.events().get(i);
      spellings[i] = format.patchedIf(format.spelling(asked.topics(), known.get(event.topic()), event),
        held.get(event.topic()), event);
      known.put(event.topic(), event.position());
      held.put(event.topic(), event.position());
    }
    return encode(result.events(), spellings, result.cursor(), format.compact() ? asked.topics() : null,
      result.resets(), result.more());
  }

  /**
   * {@code spellings}: each event's (null: the full one); {@code compactOrder}: the topics the
   * compact cursor's entries stand for (null: the full cursor).
   */
  static Buffer encode(List<Event> events, int[] spellings, Cursor cursor, List<String> compactOrder,
                       List<Reset> resets, boolean more) {
    int size = 64;
    for (Event event : events) {
      size += event.jsonLength() + 1;
    }
    Buffer body = Buffer.buffer(size).appendString("{\"events\":[");
    for (int i = 0; i < events.size(); i++) {
      if (i > 0) {
        body.appendByte((byte) ',');
      }
      if (spellings == null) {
        events.get(i).appendJson(body);
      } else {
        EncodedEvent.of(events.get(i)).spelled(spellings[i]).appendJson(body);
      }
    }
    String cursorText = compactOrder == null ? cursor.toString() : cursor.toCompactString(compactOrder);
    body.appendString("],\"cursor\":\"").appendString(cursorText, StandardCharsets.US_ASCII.name())
      .appendString("\",\"resets\":[");
    for (int i = 0; i < resets.size(); i++) {
      if (i > 0) {
        body.appendByte((byte) ',');
      }
      body.appendString(resets.get(i).toJson().encode());
    }
    return body.appendString("],\"more\":").appendString(Boolean.toString(more)).appendString("}");
  }
}
