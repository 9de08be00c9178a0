package io.pushgateway.client;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who is in each topic, as this client was told: a snapshot, then the joins and leaves after it,
 * the same on every transport (a poller's joins and leaves are the differences between two
 * answers; after a reconnect the new snapshot replaces the list). Lives on the client's thread.
 */
final class Presence {

  /** One topic's list, counts and the time it last changed. */
  private static final class Room {
    final Map<String, Member> members;
    Occupancy counts;
    final boolean truncated;
    final long changed;

    Room(Map<String, Member> members, Occupancy counts, boolean truncated, long changed) {
      this.members = members;
      this.counts = counts;
      this.truncated = truncated;
      this.changed = changed;
    }
  }

  private final PushClient client;
  private final Map<String, Room> rooms = new LinkedHashMap<>();

  Presence(PushClient client) {
    this.client = client;
  }

  List<Member> members(String topic) {
    Room room = rooms.get(topic);
    return room == null ? List.of() : List.copyOf(room.members.values());
  }

  Occupancy occupancy(String topic) {
    Room room = rooms.get(topic);
    return room == null ? null : room.counts;
  }

  /** The newest change seen over all topics (epoch ms), for a poll's {@code presenceSeen=}; 0: none. */
  long seen() {
    long seen = 0;
    for (Room room : rooms.values()) {
      seen = Math.max(seen, room.changed);
    }
    return seen;
  }

  /** A frame: a snapshot ({@code op: presence}) or a change ({@code join}, {@code leave}, {@code occupancy}). */
  void frame(JsonObject frame) {
    String topic = frame.get("topic").getAsString();
    if ("presence".equals(frame.get("op").getAsString())) {
      snapshot(topic, frame);
    } else {
      change(topic, frame);
    }
  }

  /** A snapshot; a poll's {@code unchanged} one brings counts alone. Tells the differences from the list kept. */
  void snapshot(String topic, JsonObject snapshot) {
    Room before = rooms.get(topic);
    Occupancy counts = snapshot.has("counts") ? Occupancy.of(snapshot.getAsJsonObject("counts")) : null;
    if (snapshot.has("unchanged") && snapshot.get("unchanged").getAsBoolean()) {
      if (before != null && counts != null) {
        before.counts = counts;
      }
      return;
    }
    if (!snapshot.has("members")) {
      return;
    }
    Map<String, Member> members = new LinkedHashMap<>();
    for (JsonElement member : snapshot.getAsJsonArray("members")) {
      Member m = Member.of(member.getAsJsonObject());
      members.put(m.id(), m);
    }
    boolean truncated = snapshot.has("truncated") && snapshot.get("truncated").getAsBoolean();
    Room room = new Room(members, counts, truncated, snapshot.has("changed") ? snapshot.get("changed").getAsLong() : 0);
    rooms.put(topic, room);
    if (before != null) {
      for (Member m : members.values()) {
        if (!before.members.containsKey(m.id())) {
          client.notify(listener -> listener.onJoin(topic, m, counts));
        }
      }
      if (!before.truncated && !truncated) {
        for (Member m : before.members.values()) {
          if (!members.containsKey(m.id())) {
            client.notify(listener -> listener.onLeave(topic, m, counts));
          }
        }
      }
    }
    List<Member> list = new ArrayList<>(members.values());
    client.notify(listener -> listener.onPresence(topic, List.copyOf(list), counts));
  }

  /** A join of a member listed already, or a leave of one not listed, changes nothing. */
  private void change(String topic, JsonObject frame) {
    Room room = rooms.get(topic);
    if (room == null) {
      return;
    }
    if (frame.has("counts")) {
      room.counts = Occupancy.of(frame.getAsJsonObject("counts"));
    }
    Occupancy counts = room.counts;
    String op = frame.get("op").getAsString();
    Member m = frame.has("member") ? Member.of(frame.getAsJsonObject("member")) : null;
    if (op.equals("join") && m != null && !room.members.containsKey(m.id())) {
      room.members.put(m.id(), m);
      client.notify(listener -> listener.onJoin(topic, m, counts));
    } else if (op.equals("leave") && m != null && room.members.remove(m.id()) != null) {
      client.notify(listener -> listener.onLeave(topic, m, counts));
    } else if (op.equals("occupancy")) {
      client.notify(listener -> listener.onOccupancy(topic, counts));
    }
  }
}
