package io.pushgateway.gateway.presence;

import io.pushgateway.gateway.core.LocalCodec;
import io.pushgateway.gateway.core.PresenceChange;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.function.Consumer;

/**
 * Presence answered from this node's {@link PresenceView}, whoever else stores it: the view's
 * changes published to the node's HTTP verticles, its leases ended and counts sent by a tick.
 * {@link LocalPresence} is the view alone; a cluster's presence also writes each change where the
 * other nodes read it.
 */
public abstract class ViewPresence implements Presence {

  /** Leases are ended and counts sent this often: the delay a leave or a count may have. */
  public static final long TICK_MILLIS = 1000;

  protected final Vertx vertx;
  protected final PresenceView view;
  private final String address;
  private final long timer;

  protected ViewPresence(Vertx vertx, String node, String namespace, PresenceLimits limits) {
    this.vertx = vertx;
    this.address = "push-gateway.presence." + namespace;
    this.view = new PresenceView(node, limits, publisher(vertx, address));
    this.timer = vertx.setPeriodic(TICK_MILLIS, id -> view.tick(System.currentTimeMillis()));
  }

  /** Hands each change to the HTTP verticles of this node, by reference. */
  private static Consumer<PresenceChange> publisher(Vertx vertx, String address) {
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
  public PresenceSnapshot snapshot(String topic) {
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

  /** Stops the tick; a store of its own removes this node's occupants first. */
  @Override
  public Future<Void> close() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }
}
