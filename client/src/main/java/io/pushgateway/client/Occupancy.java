package io.pushgateway.client;

import com.google.gson.JsonObject;

/** A topic's presence counts: members, connections, anonymous readers, connections per transport. */
public final class Occupancy {

  private final JsonObject counts;

  private Occupancy(JsonObject counts) {
    this.counts = counts;
  }

  /** As the gateway sends them; null for none. */
  static Occupancy of(JsonObject counts) {
    return counts == null ? null : new Occupancy(counts.deepCopy());
  }

  /** Identities listed or listable (a room over its listing limit still counts them). */
  public int members() {
    return count("members");
  }

  public int connections() {
    return count("connections");
  }

  /** Connections that joined without an identity: counted, never listed. */
  public int anonymous() {
    return count("anonymous");
  }

  /** Connections over {@code transport}. */
  public int on(Transport transport) {
    return count(transport.label());
  }

  private int count(String name) {
    return counts.has(name) ? counts.get(name).getAsInt() : 0;
  }

  @Override
  public String toString() {
    return counts.toString();
  }
}
