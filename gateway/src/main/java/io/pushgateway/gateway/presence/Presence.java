package io.pushgateway.gateway.presence;

import io.vertx.core.Future;

/**
 * Who is in each topic, over the whole gateway: the in-memory {@link LocalPresence} on one node,
 * a Hazelcast map shared by every node in a cluster. Changes reach the HTTP verticles on the
 * event bus address {@link #address()}, as {@code PresenceChange}s, once per node.
 *
 * <p>Safe from any thread; nothing here blocks.
 */
public interface Presence {

  /**
   * Adds the occupant, or renews it (a poller's lease) when its connection is there already.
   * False, and nothing added, when {@code maxPresenceOccupants} are present already.
   */
  boolean enter(Occupant occupant);

  void leave(String topic, String connection);

  /** The topic as every node sees it, encoded once until it changes. */
  PresenceSnapshot snapshot(String topic);

  /** When a member last joined or left {@code topic}, epoch milliseconds as this node saw it; 0: never. */
  long changedMillis(String topic);

  /** A connection id no other connection of the cluster has. */
  String newConnection();

  /** The local event bus address the changes are published on. */
  String address();

  /** Occupants, joins and leaves so far, for the metrics. */
  PresenceView view();

  /** Removes this node's occupants and stops. */
  Future<Void> close();
}
