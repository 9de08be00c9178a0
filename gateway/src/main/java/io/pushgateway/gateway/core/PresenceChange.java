package io.pushgateway.gateway.core;

/**
 * A change of who is in a topic, for the subscribers that asked for presence: a member joined or
 * left, or, in a room too big to list ({@code maxPresenceMembers}), the counts moved. It is no
 * event: it has no id, takes no place in the history and never moves a cursor.
 *
 * @param frame the change as the WebSocket frame ({@code {"op":"join",…}}), encoded once for
 *              every subscriber; SSE and polls carry the same JSON
 */
public record PresenceChange(String topic, Kind kind, String frame) {

  public enum Kind {
    JOIN, LEAVE, OCCUPANCY;

    /** The frame's {@code op}. */
    public String op() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
