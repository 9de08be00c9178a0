package io.pushgateway.loadtest.client;

import io.pushgateway.loadtest.stats.SubscriberTracker;
import io.vertx.core.Promise;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;

/**
 * A Socket.IO 4 subscriber's side of the protocol, whatever carries it (Engine.IO v4 over a
 * WebSocket or over HTTP long-polling): on Engine.IO's open it connects to the default namespace
 * ({@code 40}), once connected it emits {@code join} with an ack ({@code 420["join","<room>"]}),
 * and the ack ({@code 430[…]}) means it is in the room. It answers pings ({@code 2}) with pongs
 * ({@code 3}) and hands each {@code 42["event",{…}]} to the tracker. Socket.IO has no resume: a
 * subscriber that reconnects joins again, and what it missed meanwhile counts as lost.
 */
final class SocketIoSession {
  /** How an event's array starts, its data next. */
  private static final String EVENT = "[\"event\",";

  private final String room;
  private final SubscriberTracker tracker;
  private final Promise<Void> joined;
  private final Consumer<String> send;

  /** @param send writes one Engine.IO packet to the server */
  SocketIoSession(String room, SubscriberTracker tracker, Promise<Void> joined, Consumer<String> send) {
    this.room = room;
    this.tracker = tracker;
    this.joined = joined;
    this.send = send;
  }

  /** One Engine.IO packet from the server. */
  void onPacket(String packet) {
    if (packet.isEmpty()) {
      return;
    }
    switch (packet.charAt(0)) {
      case '0' -> send.accept("40");
      case '2' -> send.accept("3");
      case '4' -> onMessage(packet.substring(1));
      default -> { } // 1 close (the transport's close follows), 3 pong, 5 upgrade, 6 noop
    }
  }

  private void onMessage(String message) {
    if (message.startsWith("0")) {
      send.accept("420[\"join\",\"" + room + "\"]");
    } else if (message.startsWith("30")) {
      joined.tryComplete();
    } else if (message.startsWith("2")) {
      deliver(message.substring(1));
    } else if (message.startsWith("4")) {
      tracker.stats().errors.increment(); // connect_error
    }
  }

  private void deliver(String eventArray) {
    if (eventArray.startsWith(EVENT) && Events.deliverPeerFast(eventArray, EVENT.length(), tracker)) {
      return;
    }
    try {
      JsonArray event = new JsonArray(eventArray);
      JsonObject data = event.getJsonObject(1);
      Long seq = data == null ? null : data.getLong("seq");
      Long t = data == null ? null : data.getLong("t");
      if (!"event".equals(event.getString(0)) || seq == null || t == null) {
        tracker.stats().errors.increment();
        return;
      }
      tracker.onPeerEvent(seq, t);
    } catch (DecodeException | ClassCastException | IndexOutOfBoundsException e) {
      tracker.stats().errors.increment();
    }
  }
}
