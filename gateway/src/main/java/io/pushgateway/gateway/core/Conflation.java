package io.pushgateway.gateway.core;

import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A conflating stream's pace ({@code conflate=MS}): per topic at most one event per window, the
 * newest, as prices and dashboards want on a slow link. The first event after a quiet window goes
 * out at once; those that follow within the window wait for its end, each replacing the one
 * before; while the connection's queue is full they wait for it to drain, so a slow client gets
 * the newest values instead of a backlog. It only chooses when: the stream moves its position as
 * an event is sent, so a cursor handed out never passes an event held back.
 *
 * <p>Each conflated topic has its window; the stream's other topics get every event. Confined to
 * the stream's event loop. It holds at most one event and one timer per topic.
 */
final class Conflation {

  private static final class Slot {
    final long windowNanos;
    /** When the next event may go at once, {@link System#nanoTime()}; 0: at once. */
    long readyAt;
    Event held;
    long timer = -1;

    Slot(long windowMillis) {
      this.windowNanos = windowMillis * 1_000_000;
    }
  }

  private final Vertx vertx;
  private final LiveStream.Sink sink;
  private final Consumer<Event> send;
  private final Map<String, Slot> slots = new HashMap<>(2);
  private boolean awaitingDrain;
  private boolean closed;

  /** {@code send} writes an event and moves the stream's position, if it is still ahead of it. */
  Conflation(Vertx vertx, LiveStream.Sink sink, Consumer<Event> send) {
    this.vertx = vertx;
    this.sink = sink;
    this.send = send;
  }

  /** Conflates {@code topic}, newly subscribed: at most one event per {@code windowMillis}. */
  void add(String topic, long windowMillis) {
    slots.put(topic, new Slot(windowMillis));
  }

  boolean conflates(String topic) {
    return slots.containsKey(topic);
  }

  /** The conflated topics, read for their newest event alone. */
  Set<String> topics() {
    return Set.copyOf(slots.keySet());
  }

  /** A live event of a conflated topic, past its position: sent now, or held as the topic's newest. */
  void offer(Event event) {
    Slot slot = slots.get(event.topic());
    slot.held = event;
    if (slot.timer < 0) {
      flush(slot);
    }
  }

  /** {@code topic}'s event went out some other way (a read): its window starts now. */
  void sent(String topic) {
    Slot slot = slots.get(topic);
    slot.readyAt = System.nanoTime() + slot.windowNanos;
  }

  void forget(String topic) {
    Slot slot = slots.remove(topic);
    if (slot != null && slot.timer >= 0) {
      vertx.cancelTimer(slot.timer);
    }
  }

  void close() {
    closed = true;
    slots.values().forEach(slot -> {
      if (slot.timer >= 0) {
        vertx.cancelTimer(slot.timer);
      }
    });
    slots.clear();
  }

  private void flush(Slot slot) {
    if (closed || slot.held == null) {
      return;
    }
    long now = System.nanoTime();
    if (slot.readyAt != 0 && now - slot.readyAt < 0) {
      slot.timer = vertx.setTimer(Math.max(1, (slot.readyAt - now) / 1_000_000), id -> {
        slot.timer = -1;
        flush(slot);
      });
    } else if (!sink.writable()) {
      awaitDrain();
    } else {
      Event event = slot.held;
      slot.held = null;
      slot.readyAt = now + slot.windowNanos;
      send.accept(event);
    }
  }

  /** Once the connection's queue drains, the held events whose window has passed go out. */
  private void awaitDrain() {
    if (awaitingDrain) {
      return;
    }
    awaitingDrain = true;
    sink.drained().onComplete(done -> {
      awaitingDrain = false;
      if (done.succeeded()) {
        for (Slot slot : slots.values().toArray(Slot[]::new)) {
          if (slot.timer < 0) {
            flush(slot);
          }
        }
      }
    });
  }
}
