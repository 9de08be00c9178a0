package io.pushgateway.gateway.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryEvictedListener;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.query.Predicate;
import io.pushgateway.gateway.presence.Occupant;
import io.pushgateway.gateway.presence.Presence;
import io.pushgateway.gateway.presence.PresenceLimits;
import io.pushgateway.gateway.presence.ViewPresence;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Presence shared by the cluster through Hazelcast's own structures: one map entry per occupant,
 * written by the node that holds its connection, and an entry listener on every node that keeps
 * its {@link PresenceView} in step. A poller's entry lives for its lease (the map's TTL); a push
 * connection's until it closes, or until its node leaves the cluster: a membership listener
 * removes a dead node's entries, so its members leave within Hazelcast's failure detection.
 *
 * <p>A node's own push connections are in its view from the moment they enter; the listener's
 * echo of them is skipped, so a connection that opens and closes at once cannot come back as a
 * late echo of its entry.
 */
public final class HazelcastPresence extends ViewPresence {

  static final String PRESENCE_MAP = "push-gateway.presence";

  private final IMap<String, String> occupants;
  private UUID entryListener;
  private UUID membershipListener;
  private HazelcastInstance hazelcast;

  private HazelcastPresence(Vertx vertx, IMap<String, String> occupants, String node, String namespace,
                            PresenceLimits limits) {
    super(vertx, node, namespace, limits);
    this.occupants = occupants;
  }

  /** Joins the cluster's presence: listens, then loads what the other nodes hold already. */
  public static Future<Presence> deploy(ClusterNode node, String namespace, PresenceLimits limits) {
    HazelcastInstance hazelcast = node.hazelcast();
    Vertx vertx = node.vertx();
    // creating the map's proxy and reading it wait for the cluster: on a worker
    return vertx.executeBlocking(() -> {
      IMap<String, String> map = hazelcast.getMap(PRESENCE_MAP);
      HazelcastPresence presence = new HazelcastPresence(vertx, map,
        hazelcast.getCluster().getLocalMember().getUuid().toString(), namespace, limits);
      presence.entryListener = map.addEntryListener(presence.new Changes(), true);
      presence.hazelcast = hazelcast;
      presence.membershipListener = hazelcast.getCluster().addMembershipListener(presence.new Departures());
      for (Map.Entry<String, String> entry : map.entrySet()) {
        presence.stored(entry.getValue());
      }
      return presence;
    });
  }

  @Override
  public boolean enter(Occupant occupant) {
    if (!super.enter(occupant)) {
      return false;
    }
    if (occupant.leased()) {
      // the entry outlives the lease by a little: the views end it on time, the TTL cleans up
      occupants.setAsync(occupant.key(), occupant.encode(),
        occupant.expiresAtMillis() - System.currentTimeMillis() + ViewPresence.TICK_MILLIS, TimeUnit.MILLISECONDS);
    } else {
      occupants.setAsync(occupant.key(), occupant.encode());
    }
    return true;
  }

  @Override
  public void leave(String topic, String connection) {
    super.leave(topic, connection);
    occupants.removeAsync(connection + " " + topic);
  }

  /** Removes this node's push connections from the cluster and stops listening. */
  @Override
  public Future<Void> close() {
    return super.close().compose(v -> vertx.executeBlocking(() -> {
      occupants.removeEntryListener(entryListener);
      hazelcast.getCluster().removeMembershipListener(membershipListener);
      occupants.removeAll(new OnNode(view.node() + "/"));
      return null;
    }, false)).<Void>mapEmpty().recover(e -> Future.succeededFuture());
  }

  private void stored(String json) {
    Occupant occupant = Occupant.decode(json);
    if (!view.ownConnection(occupant.connection())) {
      view.put(occupant);
    }
  }

  private void removed(String key) {
    int space = key.lastIndexOf(' ');
    String connection = key.substring(0, space);
    if (!view.ownConnection(connection)) {
      view.remove(key.substring(space + 1), connection);
    }
  }

  /** Every node's writes, as the map tells them. */
  private final class Changes implements EntryWrites<String, String>,
    EntryRemovedListener<String, String>, EntryExpiredListener<String, String>, EntryEvictedListener<String, String> {

    @Override
    public void written(String json) {
      stored(json);
    }

    @Override
    public void entryRemoved(EntryEvent<String, String> event) {
      removed(event.getKey());
    }

    @Override
    public void entryExpired(EntryEvent<String, String> event) {
      removed(event.getKey());
    }

    @Override
    public void entryEvicted(EntryEvent<String, String> event) {
      removed(event.getKey());
    }
  }

  /** A node that left, dead or stopped: its push connections leave every view and the map. */
  private final class Departures implements MembershipListener {

    @Override
    public void memberAdded(MembershipEvent event) {
    }

    @Override
    public void memberRemoved(MembershipEvent event) {
      String prefix = event.getMember().getUuid() + "/";
      view.removeConnections(prefix);
      vertx.executeBlocking(() -> {
        occupants.removeAll(new OnNode(prefix));
        return null;
      }, false);
    }
  }

  /** The entries of one node's push connections; runs on the members, so it is serializable. */
  record OnNode(String prefix) implements Predicate<String, String> {
    @Override
    public boolean apply(Map.Entry<String, String> entry) {
      return entry.getKey().startsWith(prefix);
    }
  }
}
