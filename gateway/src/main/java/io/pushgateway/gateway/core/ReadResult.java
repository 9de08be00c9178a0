package io.pushgateway.gateway.core;

import java.util.List;
import java.util.Map;

/**
 * What a subscriber gets for "events after this cursor": resets first, then events (per topic in
 * id order), the cursor that stands after them, each topic's state, and whether more are waiting.
 */
public record ReadResult(
  List<Reset> resets,
  List<Event> events,
  Cursor cursor,
  Map<String, TopicState> states,
  boolean more) {

  /** No events and no resets: where the subscriber stands is all there is to say. */
  public static ReadResult nothingNew(Cursor cursor) {
    return new ReadResult(List.of(), List.of(), cursor, Map.of(), false);
  }

  public boolean isEmpty() {
    return resets.isEmpty() && events.isEmpty();
  }
}
