package io.pushgateway.gateway.transport;

import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.core.Position;
import java.util.HashMap;
import java.util.Map;

/**
 * For one push subscriber of deltas ({@code delta=merge}): where it stands in each topic after
 * what this connection sent it, the base its next patch applies to (docs/PROTOCOL.md, "Deltas").
 * A new connection has sent nothing, so its first event of each topic comes whole, whatever its
 * cursor says: a client that resumed need not hold the data of where it resumed from.
 */
public final class PatchBases {

  private final EventFormat format;
  private final Map<String, Position> lastSent = new HashMap<>(2);

  PatchBases(EventFormat format) {
    this.format = format;
  }

  /** The spelling to send {@code event} in, patched where it can be; {@code event} is then the topic's base. */
  public int spelling(int spelling, Event event) {
    return format.patchedIf(spelling, lastSent.put(event.topic(), event.position()), event);
  }

  /** The topic's next event comes whole (unsubscribed, reset). */
  public void forget(String topic) {
    lastSent.remove(topic);
  }
}
