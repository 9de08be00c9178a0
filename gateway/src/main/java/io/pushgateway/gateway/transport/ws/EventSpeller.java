package io.pushgateway.gateway.transport.ws;

import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.core.Position;
import io.pushgateway.gateway.transport.EventFormat;
import io.pushgateway.gateway.transport.PatchBases;
import io.pushgateway.gateway.wire.Spelling;
import java.util.HashMap;
import java.util.Map;

/**
 * How one WebSocket spells its events beyond v1's: in the compact format, what it calls each
 * subscribed topic (the lowest alias free, announced by its {@code subscribed} frame, given back
 * when unsubscribed); with deltas, what each topic's next patch applies to. Made only for a
 * connection that asked for either, so a plain one carries nothing of it.
 */
final class EventSpeller {

  private final EventFormat format;
  /** Null unless compact. */
  private final Map<String, Integer> aliases;
  /** Null unless deltas. */
  private final PatchBases patchBases;

  private EventSpeller(EventFormat format) {
    this.format = format;
    this.aliases = format.compact() ? new HashMap<>() : null;
    this.patchBases = format.patchBases();
  }

  /** The speller of a connection in {@code format}; null for v1's, which needs none. */
  static EventSpeller of(EventFormat format) {
    return format.compact() || format.deltas() ? new EventSpeller(format) : null;
  }

  void subscribed(String topic) {
    if (aliases != null) {
      int alias = 0;
      while (aliases.containsValue(alias)) {
        alias++;
      }
      aliases.put(topic, alias);
    }
  }

  void unsubscribed(String topic) {
    if (aliases != null) {
      aliases.remove(topic);
    }
    reset(topic);
  }

  /** The topic's next event comes whole: the client holds nothing to patch. */
  void reset(String topic) {
    if (patchBases != null) {
      patchBases.forget(topic);
    }
  }

  /** The topic's alias in the compact format; null in the full one. */
  Integer alias(String topic) {
    return aliases == null ? null : aliases.get(topic);
  }

  /** The spelling of {@code event} for a client that stood at {@code before} in its topic. */
  int spelling(Event event, Position before) {
    int spelling = aliases == null ? Spelling.FULL : format.spelling(aliases.get(event.topic()), before, event);
    return patchBases == null ? spelling : patchBases.spelling(spelling, event);
  }
}
