package io.pushgateway.gateway.transport.poll;

import io.pushgateway.gateway.core.Cursor;
import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.core.ReadRequest;
import io.pushgateway.gateway.transport.EventFormat;
import io.pushgateway.gateway.wire.Spelling;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Objects;

/**
 * The answer one live event gives the long polls of one event loop, encoded once: the polls it
 * completes are answered one after another while the hub dispatches it, and those that waited on
 * the same topics at the same place, in the same format, get the same body. Vert.x writes a
 * buffer without consuming it, so one body serves every response.
 */
final class LiveAnswer {

  private Event event;
  private Cursor cursor;
  private int spelling;
  /** The polled topics' order, which a compact cursor follows; null in the full format. */
  private List<String> compactOrder;
  private Buffer body;

  /** The event of the last body, the newest that answered this event loop's polls; null before the first. */
  Event event() {
    return event;
  }

  /**
   * The body of {@code {"events":[event],"cursor":after,"resets":[],"more":false}} for a poll that
   * {@code asked}.
   */
  Buffer body(Event event, Cursor after, ReadRequest asked, EventFormat format) {
    // the full format, the usual one, looks nothing up
    int spelling = format.compact() ? format.spelling(asked.topics(), asked.cursor().get(event.topic()), event)
      : Spelling.FULL;
    if (format.deltas()) {
      // a poll asking for deltas holds the data at its cursor
      spelling = format.patchedIf(spelling, asked.cursor().get(event.topic()), event);
    }
    List<String> order = format.compact() ? asked.topics() : null;
    if (event != this.event || spelling != this.spelling || !after.equals(cursor)
        || !Objects.equals(order, compactOrder)) {
      this.event = event;
      this.cursor = after;
      this.spelling = spelling;
      this.compactOrder = order;
      this.body = PollAnswer.encode(List.of(event), spelling == Spelling.FULL ? null : new int[] {spelling}, after, order,
        List.of(), false);
    }
    return body;
  }
}
