package io.pushgateway.client;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A member of a topic's presence: an identity (a token's {@code sub}, or a name the gateway
 * allows) with the connections it has in the topic. Anonymous readers are counted, not listed.
 */
public final class Member {

  private final String id;
  private final String infoJson;
  private final List<String> transports;
  private final int connections;
  private final long since;

  private Member(String id, String infoJson, List<String> transports, int connections, long since) {
    this.id = id;
    this.infoJson = infoJson;
    this.transports = transports;
    this.connections = connections;
    this.since = since;
  }

  /** As the gateway sends one: {@code {"id","info"?,"transports","connections","since"}}. */
  static Member of(JsonObject member) {
    List<String> transports = new ArrayList<>();
    if (member.has("transports")) {
      for (JsonElement transport : member.getAsJsonArray("transports")) {
        transports.add(transport.getAsString());
      }
    }
    return new Member(member.get("id").getAsString(), member.has("info") ? member.get("info").toString() : null,
      Collections.unmodifiableList(transports), member.has("connections") ? member.get("connections").getAsInt() : 0,
      member.has("since") ? member.get("since").getAsLong() : 0);
  }

  public String id() {
    return id;
  }

  /** The token's {@code info} claim as JSON, or null. */
  public String infoJson() {
    return infoJson;
  }

  /** The transports of its connections: {@code ws}, {@code sse}, {@code long}, {@code short}. */
  public List<String> transports() {
    return transports;
  }

  public int connections() {
    return connections;
  }

  /** When it joined (epoch ms). */
  public long since() {
    return since;
  }

  @Override
  public String toString() {
    return id;
  }
}
