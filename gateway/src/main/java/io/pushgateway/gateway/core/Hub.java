package io.pushgateway.gateway.core;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Who listens to which topic on one event loop. Each HTTP verticle has its own hub, fed by the
 * log's event bus publication, so a fan-out is spread over all event loops and needs no locks.
 *
 * <p>Listener arrays are copied on write: subscriptions change rarely compared to events, and a
 * dispatch may safely run while a listener unsubscribes.
 */
public final class Hub {

  /** Receives the events of the topics it was added for, in the log's order. */
  public interface Listener {
    void onEvent(Event event);
  }

  private static final System.Logger LOG = System.getLogger(Hub.class.getName());
  private static final Listener[] NONE = new Listener[0];

  private final Map<String, Listener[]> byTopic = new HashMap<>();
  private long dispatched;

  public void add(String topic, Listener listener) {
    Listener[] current = byTopic.getOrDefault(topic, NONE);
    Listener[] next = Arrays.copyOf(current, current.length + 1);
    next[current.length] = listener;
    byTopic.put(topic, next);
  }

  /** Events dispatched so far, compared with {@link EventLog#eventsPublished()}: more are queued. */
  public long dispatched() {
    return dispatched;
  }

  public void remove(String topic, Listener listener) {
    Listener[] current = byTopic.get(topic);
    if (current == null) {
      return;
    }
    for (int i = 0; i < current.length; i++) {
      if (current[i] == listener) {
        if (current.length == 1) {
          byTopic.remove(topic);
        } else {
          Listener[] next = new Listener[current.length - 1];
          System.arraycopy(current, 0, next, 0, i);
          System.arraycopy(current, i + 1, next, i, current.length - i - 1);
          byTopic.put(topic, next);
        }
        return;
      }
    }
  }

  /** Hands the event to every listener; one failing listener never starves the others. */
  public void dispatch(Event event) {
    dispatched++;
    for (Listener listener : byTopic.getOrDefault(event.topic(), NONE)) {
      try {
        listener.onEvent(event);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "listener failed on " + event.topic() + ":" + event.id(), e);
      }
    }
  }
}
