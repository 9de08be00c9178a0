package io.pushgateway.gateway.transport.poll;

import io.pushgateway.gateway.core.Cursor;
import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.core.ReadResult;
import io.pushgateway.gateway.core.Reset;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code {"events":[…],"cursor":"…","resets":[…],"more":…}}, the one body of both polls. Events
 * are copied in as the bytes the log encoded, never re-serialized.
 */
final class PollAnswer {

  private PollAnswer() {
  }

  static Buffer encode(ReadResult result) {
    return encode(result.events(), result.cursor(), result.resets(), result.more());
  }

  static Buffer encode(List<Event> events, Cursor cursor, List<Reset> resets, boolean more) {
    int size = 64;
    for (Event event : events) {
      size += event.jsonLength() + 1;
    }
    Buffer body = Buffer.buffer(size).appendString("{\"events\":[");
    for (int i = 0; i < events.size(); i++) {
      if (i > 0) {
        body.appendByte((byte) ',');
      }
      events.get(i).appendJson(body);
    }
    body.appendString("],\"cursor\":\"").appendString(cursor.toString(), StandardCharsets.US_ASCII.name())
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
