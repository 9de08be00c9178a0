package io.pushgateway.gateway.transport;

import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.wire.EncodedEvent;
import io.pushgateway.gateway.wire.Spelling;
import java.util.HashMap;
import java.util.Map;

/**
 * For one subscriber of deltas ({@code delta=merge}): the last event of each topic it was sent,
 * the base its next patch applies to (docs/PROTOCOL.md, "Deltas"). A new connection starts with
 * none, so its first event of each topic comes whole, and so does any event after a skip
 * (conflation, a reset): only the event right after the one the client holds can be a patch.
 */
public final class PatchBases {

  private final Map<String, Event> lastSent = new HashMap<>(2);

  /** The spelling to send {@code event} in, patched where it can be; {@code event} is then the topic's base. */
  public int spelling(int spelling, Event event) {
    if (event.contentType() != null) {
      lastSent.remove(event.topic()); // bytes are never patched, nor patched from
      return spelling;
    }
    Event previous = lastSent.put(event.topic(), event);
    return EncodedEvent.of(event).patchableFrom(previous) ? Spelling.patched(spelling) : spelling;
  }

  /** The topic's next event comes whole (unsubscribed, reset). */
  public void forget(String topic) {
    lastSent.remove(topic);
  }
}
