package io.pushgateway.gateway.presence;

import io.pushgateway.gateway.core.PresenceChange;
import io.pushgateway.gateway.core.Transport;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The rooms as one node knows them, whoever stores them: occupants (connections) grouped into
 * members by identity, counts per transport, and the changes they make. A member joins with its
 * first connection and leaves with its last, so a user with two tabs is one member.
 *
 * <p>Rooms above {@code maxMembersListed} members stop telling joins and leaves one by one: a
 * room of 50,000 would send 50,000 frames to each of its 50,000 members per churn. Their counts
 * go out instead, at most once per {@link #tick}. Smaller rooms coalesce count-only changes
 * (another tab of a member, an anonymous reader) the same way. A room tells at most
 * {@code changesPerSecond} joins and leaves one by one per tick: one member who joins and leaves
 * in a loop (one subscribe and unsubscribe, 100 bytes) would otherwise send two frames to every
 * other member each time, a flood any reader of the room could start. Past that, the tick tells
 * what came of the held ones: a join or leave per member whose presence differs from what the
 * room was last told.
 *
 * <p>Synchronized: changes come from event loops and, in a cluster, Hazelcast's threads. Changes
 * are handed to {@code changes} under the lock, so they leave in the order they happened.
 */
public final class PresenceView {

  private final String node;
  private final int maxMembersListed;
  private final int maxChangesTold;
  private final int maxOccupants;
  private final Consumer<PresenceChange> changes;
  /** The snapshot of a topic no one is in. */
  private final PresenceSnapshot empty;
  private final Map<String, Room> rooms = new HashMap<>();
  private final Map<String, Integer> leasesByOrigin = new HashMap<>();
  private final AtomicLong connectionNumbers = new AtomicLong();
  private int occupants;
  private long joins;
  private long leaves;

  /** @param node this node's id, the prefix of the connection ids it hands out */
  public PresenceView(String node, PresenceLimits limits, Consumer<PresenceChange> changes) {
    this.node = node;
    this.maxMembersListed = limits.membersListed();
    this.maxChangesTold = limits.changesPerSecond();
    this.maxOccupants = limits.occupants();
    this.changes = changes;
    this.empty = new Room(null).snapshot();
  }

  public String node() {
    return node;
  }

  public String newConnection() {
    return node + "/" + connectionNumbers.incrementAndGet();
  }

  /** True when {@code connection} is one this node handed out (a push connection of its own). */
  public boolean ownConnection(String connection) {
    return connection.startsWith(node + "/");
  }

  /** Adds or renews; false when full (a renewal always succeeds). */
  public synchronized boolean put(Occupant occupant) {
    Room room = rooms.get(occupant.topic());
    Occupant known = room == null ? null : room.byConnection.get(occupant.connection());
    if (known != null) {
      room.byConnection.put(occupant.connection(), new Occupant(known.topic(), known.connection(), known.member(),
        known.info(), known.transport(), known.sinceMillis(), occupant.expiresAtMillis(), known.origin()));
      return true;
    }
    if (occupants >= maxOccupants) {
      return false;
    }
    if (occupant.origin() != null) {
      leasesByOrigin.merge(occupant.origin(), 1, Integer::sum);
    }
    if (room == null) {
      room = new Room(occupant.topic());
      rooms.put(occupant.topic(), room);
    }
    occupants++;
    room.add(occupant);
    return true;
  }

  /** Removes one connection's place; nothing when it is not there. */
  public synchronized void remove(String topic, String connection) {
    Room room = rooms.get(topic);
    Occupant occupant = room == null ? null : room.byConnection.get(connection);
    if (occupant != null) {
      removeFrom(room, occupant);
    }
  }

  /** Removes every connection whose id starts with {@code prefix} (a dead node's). */
  public synchronized void removeConnections(String prefix) {
    for (Room room : List.copyOf(rooms.values())) {
      for (Occupant occupant : List.copyOf(room.byConnection.values())) {
        if (occupant.connection().startsWith(prefix)) {
          removeFrom(room, occupant);
        }
      }
    }
  }

  /**
   * Ends the leases run out by {@code nowMillis}, tells what came of the joins and leaves held
   * since the last tick, then sends the counts that changed without them.
   */
  public synchronized void tick(long nowMillis) {
    for (Room room : List.copyOf(rooms.values())) {
      for (Occupant occupant : List.copyOf(room.byConnection.values())) {
        if (occupant.leased() && occupant.expiresAtMillis() <= nowMillis) {
          removeFrom(room, occupant);
        }
      }
    }
    for (Room room : rooms.values()) {
      room.tellHeld();
      if (room.countsChanged) {
        room.countsChanged = false;
        send(room, PresenceChange.Kind.OCCUPANCY, null);
      }
    }
    rooms.values().removeIf(room -> room.byConnection.isEmpty());
  }

  public synchronized PresenceSnapshot snapshot(String topic) {
    Room room = rooms.get(topic);
    return room == null ? empty : room.snapshot();
  }

  public synchronized long changedMillis(String topic) {
    Room room = rooms.get(topic);
    return room == null ? 0 : room.changedMillis;
  }

  public synchronized int occupants() {
    return occupants;
  }

  public synchronized long joins() {
    return joins;
  }

  public synchronized long leaves() {
    return leaves;
  }

  public synchronized boolean holds(String topic, String connection) {
    Room room = rooms.get(topic);
    return room != null && room.byConnection.containsKey(connection);
  }

  /** Poller leases held for {@code origin} (a client address) now, over every topic. */
  public synchronized int leasesFrom(String origin) {
    return leasesByOrigin.getOrDefault(origin, 0);
  }

  private void removeFrom(Room room, Occupant occupant) {
    occupants--;
    if (occupant.origin() != null) {
      leasesByOrigin.computeIfPresent(occupant.origin(), (o, n) -> n == 1 ? null : n - 1);
    }
    room.remove(occupant);
    if (room.byConnection.isEmpty() && !room.countsChanged) {
      rooms.remove(room.topic);
    }
  }

  private void send(Room room, PresenceChange.Kind kind, Member member) {
    JsonObject frame = new JsonObject().put("op", kind.op()).put("topic", room.topic);
    if (member != null) {
      frame.put("member", member.toJson());
    }
    frame.put("counts", room.counts());
    changes.accept(new PresenceChange(room.topic, kind, frame.encode()));
  }

  /** One topic's occupants. */
  private final class Room {
    final String topic;
    final Map<String, Occupant> byConnection = new LinkedHashMap<>();
    /** Members in the order they joined. */
    final Map<String, Member> members = new LinkedHashMap<>();
    final int[] perTransport = new int[Transport.values().length];
    int anonymous;
    /** Counts moved without a join or leave telling it: sent at the next tick. */
    boolean countsChanged;
    /** When a member last joined or left. */
    long changedMillis;
    /** Joins and leaves told one by one since the last tick. */
    int told;
    /**
     * Members whose join or leave was held since the last tick (past {@code maxChangesTold}),
     * each with whether the room was last told it is present.
     */
    final Map<String, Held> held = new LinkedHashMap<>();
    /** The snapshot as last encoded; null once the room changed. */
    private PresenceSnapshot snapshot;

    Room(String topic) {
      this.topic = topic;
    }

    PresenceSnapshot snapshot() {
      if (snapshot == null) {
        JsonArray listed = new JsonArray();
        for (Member member : members.values()) {
          if (listed.size() == maxMembersListed) {
            break;
          }
          listed.add(member.toJson());
        }
        JsonObject counts = counts();
        snapshot = new PresenceSnapshot(changedMillis,
          new JsonObject().put("members", listed).put("counts", counts).put("truncated", members.size() > listed.size())
            .put("changed", changedMillis).encode(),
          new JsonObject().put("counts", counts).put("changed", changedMillis).put("unchanged", true).encode());
      }
      return snapshot;
    }

    void add(Occupant occupant) {
      snapshot = null;
      byConnection.put(occupant.connection(), occupant);
      perTransport[occupant.transport().ordinal()]++;
      if (occupant.member() == null) {
        anonymous++;
        countsChanged = true;
        return;
      }
      Member member = members.get(occupant.member());
      boolean joined = member == null;
      if (joined) {
        member = new Member(occupant.member(), occupant.info(), occupant.sinceMillis());
        members.put(member.id, member);
        joins++;
      }
      member.connections.merge(occupant.transport(), 1, Integer::sum);
      announce(joined, PresenceChange.Kind.JOIN, member);
    }

    void remove(Occupant occupant) {
      snapshot = null;
      byConnection.remove(occupant.connection());
      perTransport[occupant.transport().ordinal()]--;
      if (occupant.member() == null) {
        anonymous--;
        countsChanged = true;
        return;
      }
      Member member = members.get(occupant.member());
      if (member == null) {
        return;
      }
      member.connections.computeIfPresent(occupant.transport(), (t, n) -> n == 1 ? null : n - 1);
      boolean left = member.connections.isEmpty();
      if (left) {
        members.remove(member.id);
        leaves++;
      }
      announce(left, PresenceChange.Kind.LEAVE, member);
    }

    /** A join or leave, told at once in a listed room; anything else waits for the tick. */
    private void announce(boolean membershipChanged, PresenceChange.Kind kind, Member member) {
      if (membershipChanged) {
        changedMillis = Math.max(changedMillis + 1, System.currentTimeMillis());
      }
      // the room's size before a join or after a leave decides: the member is listed, or was
      boolean listed = members.size() - (kind == PresenceChange.Kind.JOIN ? 1 : 0) < maxMembersListed;
      if (!membershipChanged || !listed) {
        countsChanged = true;
      } else if (told < maxChangesTold) {
        told++;
        send(this, kind, member);
      } else {
        // the first held change says what the room was told; keeps the room until the tick
        Held before = held.get(member.id);
        held.put(member.id, new Held(before == null ? kind == PresenceChange.Kind.LEAVE : before.toldPresent, member));
        countsChanged = true;
      }
    }

    /** A join or leave for each held member whose presence is not what the room was told. */
    void tellHeld() {
      told = 0;
      if (held.isEmpty()) {
        return;
      }
      boolean listed = members.size() <= maxMembersListed;
      for (Held change : held.values()) {
        Member now = members.get(change.last.id);
        if (listed && (now != null) != change.toldPresent) {
          send(this, now != null ? PresenceChange.Kind.JOIN : PresenceChange.Kind.LEAVE,
            now != null ? now : change.last);
          countsChanged = false; // the frame carries the counts
        }
      }
      held.clear();
    }

    JsonObject counts() {
      JsonObject counts = new JsonObject().put("members", members.size()).put("connections", byConnection.size())
        .put("anonymous", anonymous);
      for (Transport t : Transport.values()) {
        counts.put(t.label(), perTransport[t.ordinal()]);
      }
      return counts;
    }
  }

  /** A member whose joins and leaves were held: what the room was told, and the member as it was last seen. */
  private record Held(boolean toldPresent, Member last) {
  }

  /** One identity in a room, with its connections per transport. */
  private static final class Member {
    final String id;
    final JsonObject info;
    final long since;
    final Map<Transport, Integer> connections = new EnumMap<>(Transport.class);

    Member(String id, JsonObject info, long since) {
      this.id = id;
      this.info = info;
      this.since = since;
    }

    JsonObject toJson() {
      JsonArray transports = new JsonArray();
      connections.keySet().forEach(t -> transports.add(t.label()));
      JsonObject json = new JsonObject().put("id", id);
      if (info != null) {
        json.put("info", info);
      }
      return json.put("transports", transports)
        .put("connections", connections.values().stream().mapToInt(Integer::intValue).sum())
        .put("since", since);
    }
  }
}
