package io.pushgateway.gateway.presence;

import io.pushgateway.gateway.core.LocalCodec;
import io.pushgateway.gateway.core.PresenceChange;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import java.util.function.Consumer;

/** Presence on one node, in memory: the default, as the history is. */
public final class LocalPresence implements Presence {

  /** Leases are ended and counts sent this often: the delay a leave or a count may have. */
  public static final long TICK_MILLIS = 1000;

  private final Vertx vertx;
  private final String address;
  private final PresenceView view;
  private final long timer;

  public LocalPresence(Vertx vertx, String namespace, int maxMembersListed, int maxOccupants) {
    this.vertx = vertx;
    this.address = changesAddress(namespace);
    this.view = new PresenceView(UUID.randomUUID().toString(), maxMembersListed, maxOccupants, publisher(vertx, address));
    this.timer = vertx.setPeriodic(TICK_MILLIS, id -> view.tick(System.currentTimeMillis()));
  }

  /** The event bus address of one gateway's presence changes. */
  public static String changesAddress(String namespace) {
    return "push-gateway.presence." + namespace;
  }

  /** Hands each change to the HTTP verticles of this node, by reference. */
  public static Consumer<PresenceChange> publisher(Vertx vertx, String address) {
    LocalCodec.register(vertx.eventBus(), PresenceChange.class);
    DeliveryOptions local = new DeliveryOptions().setLocalOnly(true);
    return change -> vertx.eventBus().publish(address, change, local);
  }

  @Override
  public boolean enter(Occupant occupant) {
    return view.put(occupant);
  }

  @Override
  public void leave(String topic, String connection) {
    view.remove(topic, connection);
  }

  @Override
  public JsonObject snapshot(String topic) {
    return view.snapshot(topic);
  }

  @Override
  public long changedMillis(String topic) {
    return view.changedMillis(topic);
  }

  @Override
  public String newConnection() {
    return view.newConnection();
  }

  @Override
  public String address() {
    return address;
  }

  @Override
  public PresenceView view() {
    return view;
  }

  @Override
  public Future<Void> close() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }
}
