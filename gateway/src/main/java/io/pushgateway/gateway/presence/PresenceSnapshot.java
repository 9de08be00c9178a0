package io.pushgateway.gateway.presence;

import io.vertx.core.json.JsonObject;

/**
 * Who is in a topic, encoded once per change of its room: every reader between two changes (each
 * poller's answer, each joining subscriber's frame, each ask) is handed the same text, so an ask
 * costs a copy instead of the encoding of up to {@code maxPresenceMembers} members and their info.
 *
 * @param changed       when a member last joined or left, epoch milliseconds as this node saw it
 * @param json          {@code {"members":[…],"counts":{…},"truncated":…,"changed":…}}
 * @param unchangedJson {@code {"counts":{…},"changed":…,"unchanged":true}}: for a poller that has
 *                      the members already
 */
public record PresenceSnapshot(long changed, String json, String unchangedJson) {

  /** {@code {"op":"presence","topic":…,"members":…}}: the snapshot as a frame. */
  public String frame(String topic) {
    return prefixedWith(new JsonObject().put("op", "presence").put("topic", topic));
  }

  /** One object: {@code fields}, then the snapshot's. */
  public String prefixedWith(JsonObject fields) {
    String head = fields.encode();
    return head.substring(0, head.length() - 1) + "," + json.substring(1);
  }
}
