package io.pushgateway.gateway.core;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * This node's hubs, one per event loop, as the log reaches them: each accepted event goes over the
 * local event bus to the hubs that have a listener of its topic, and to no other. An event of a
 * topic that one event loop's clients follow wakes that loop alone, however many loops the node
 * runs, and an event nobody here follows wakes none.
 */
public final class Hubs {

  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final String address;
  private final AtomicInteger joins = new AtomicInteger();
  private final List<Joined> joined = new CopyOnWriteArrayList<>();

  /** {@code address}: the prefix of each hub's own event bus address. */
  public Hubs(String address) {
    this.address = address;
  }

  private record Joined(Hub hub, String address) {
  }

  /**
   * Feeds {@code hub} its topics' events from now on, through {@code dispatch}, on the calling
   * context (the hub's event loop). The consumer goes when the caller's verticle is undeployed or
   * is unregistered; {@link #leave} stops the sending.
   */
  public MessageConsumer<Event> join(EventBus bus, Hub hub, Consumer<Event> dispatch) {
    String own = address + "." + joins.incrementAndGet();
    MessageConsumer<Event> consumer = bus.localConsumer(own, message -> dispatch.accept(message.body()));
    joined.add(new Joined(hub, own));
    return consumer;
  }

  /** Stops sending events to {@code hub}. */
  public void leave(Hub hub) {
    joined.removeIf(j -> j.hub() == hub);
  }

  /**
   * Sends an accepted event to the hubs listening to its topic, in the order of the calls: a
   * topic's events are delivered from one thread at a time, after its head has moved past them.
   */
  public void deliver(EventBus bus, Event event) {
    // The head's move, before this look at who listens; a hub's new listener is recorded before
    // the listener looks at the head (Hub.add). So either the listener sees the new head, or
    // its hub gets the event: the fences keep both from reading the other's old value.
    VarHandle.fullFence();
    for (Joined hub : joined) {
      if (hub.hub().listensTo(event.topic())) {
        hub.hub().handed();
        bus.send(hub.address(), event, LOCAL);
      }
    }
  }
}
