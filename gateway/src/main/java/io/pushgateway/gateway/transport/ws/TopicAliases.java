package io.pushgateway.gateway.transport.ws;

import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.core.Position;
import io.pushgateway.gateway.transport.EventFormat;
import java.util.HashMap;
import java.util.Map;

/**
 * What a compact WebSocket calls its topics: each subscribed topic gets the lowest alias free,
 * announced by its {@code subscribed} frame, and gives it back when unsubscribed. Made only for
 * a connection in the compact format, so a JSON one carries nothing of it.
 */
final class TopicAliases {

  private final EventFormat format;
  private final Map<String, Integer> aliases = new HashMap<>();

  TopicAliases(EventFormat format) {
    this.format = format;
  }

  void assign(String topic) {
    int alias = 0;
    while (aliases.containsValue(alias)) {
      alias++;
    }
    aliases.put(topic, alias);
  }

  void release(String topic) {
    aliases.remove(topic);
  }

  Integer of(String topic) {
    return aliases.get(topic);
  }

  /** The spelling of {@code event} for a client that stood at {@code before} in its topic. */
  int spelling(Event event, Position before) {
    return format.spelling(aliases.get(event.topic()), before, event);
  }
}
