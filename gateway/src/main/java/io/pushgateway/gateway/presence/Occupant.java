package io.pushgateway.gateway.presence;

import io.pushgateway.gateway.core.Transport;
import io.vertx.core.json.JsonObject;

/**
 * One connection's place in a topic's presence.
 *
 * @param connection unique over the cluster: a push connection's is its node's id, a slash and a
 *                   number (so a dead node's connections can be found); a poller's is built from
 *                   its identity and the client id it sends, so any node it polls renews the same one
 * @param member     the identity (the token's {@code sub}, or a name where allowed); null: anonymous,
 *                   counted but not listed
 * @param info       what the member shows of itself (the token's {@code info} claim); may be null
 * @param expiresAtMillis when a poller's lease runs out unless it polls again; 0 for a push
 *                   connection, which is present while it is open
 * @param origin     the client address a poller's lease was taken from (null for a push
 *                   connection, bounded by the connection limits instead)
 */
public record Occupant(String topic, String connection, String member, JsonObject info, Transport transport,
                       long sinceMillis, long expiresAtMillis, String origin) {

  /** The key of its entry in a shared map: unique per connection and topic (topics have no spaces). */
  public String key() {
    return connection + " " + topic;
  }

  public boolean leased() {
    return expiresAtMillis > 0;
  }

  /** A stored form, for the cluster's shared map. */
  public String encode() {
    return new JsonObject()
      .put("topic", topic)
      .put("connection", connection)
      .put("member", member)
      .put("info", info)
      .put("transport", transport.label())
      .put("since", sinceMillis)
      .put("expires", expiresAtMillis)
      .put("origin", origin)
      .encode();
  }

  public static Occupant decode(String json) {
    JsonObject o = new JsonObject(json);
    return new Occupant(o.getString("topic"), o.getString("connection"), o.getString("member"),
      o.getJsonObject("info"), Transport.byName(o.getString("transport")), o.getLong("since"), o.getLong("expires"),
      o.getString("origin"));
  }
}
