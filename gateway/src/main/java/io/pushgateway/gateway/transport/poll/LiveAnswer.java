package io.pushgateway.gateway.transport.poll;

import io.pushgateway.gateway.core.Cursor;
import io.pushgateway.gateway.core.Event;
import io.vertx.core.buffer.Buffer;
import java.util.List;

/**
 * The answer one live event gives the long polls of one event loop, encoded once: the polls it
 * completes are answered one after another while the hub dispatches it, and those that waited on
 * the same topics at the same place get the same body. Vert.x writes a buffer without consuming
 * it, so one body serves every response.
 */
final class LiveAnswer {

  private Event event;
  private Cursor cursor;
  private Buffer body;

  /** The body of {@code {"events":[event],"cursor":after,"resets":[],"more":false}}. */
  Buffer body(Event event, Cursor after) {
    if (event != this.event || !after.equals(cursor)) {
      this.event = event;
      this.cursor = after;
      this.body = PollAnswer.encode(List.of(event), after, List.of(), false);
    }
    return body;
  }
}
