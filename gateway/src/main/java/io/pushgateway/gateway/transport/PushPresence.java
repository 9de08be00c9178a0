package io.pushgateway.gateway.transport;

import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.core.LiveStream;
import io.pushgateway.gateway.core.Transport;
import io.pushgateway.gateway.presence.Presence;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A push connection's places in presence (WebSocket and SSE): one connection id for all its
 * topics, present from {@link #join} until it leaves the topic or closes.
 */
public final class PushPresence {

  private final Presence presence;
  private final Membership membership;
  private final Transport transport;
  private final LiveStream stream;
  /** The topics it is in; made on the first join, since most connections never join. */
  private Set<String> topics = Set.of();
  private String connection;

  public PushPresence(Presence presence, Membership membership, Transport transport, LiveStream stream) {
    this.presence = presence;
    this.membership = membership;
    this.transport = transport;
    this.stream = stream;
  }

  /**
   * Follows the topic's changes, enters it, then sends its snapshot through {@code snapshot}: the
   * snapshot lists the connection's own member too, as a poll's does, so a client that comes back
   * finds itself in the list instead of seeing itself leave and join; its own join frame, which
   * follows, is one a client already lists.
   *
   * @throws GatewayException {@code overloaded} when presence holds {@code maxPresenceOccupants}
   *         already: the changes are followed and the snapshot sent, the connection is not listed
   */
  public void join(String topic, Consumer<String> snapshot) {
    if (topics.isEmpty()) {
      topics = new LinkedHashSet<>();
    }
    if (!topics.add(topic)) {
      return;
    }
    stream.followPresence(topic);
    if (connection == null) {
      connection = presence.newConnection();
    }
    boolean entered = presence.enter(membership.occupant(topic, connection, transport));
    snapshot.accept(presence.snapshot(topic).frame(topic));
    if (!entered) {
      throw new GatewayException(ErrorCode.OVERLOADED, "presence is full: not listed in " + topic);
    }
  }

  public boolean joined(String topic) {
    return topics.contains(topic);
  }

  public void leave(String topic) {
    if (!topics.isEmpty() && topics.remove(topic)) {
      presence.leave(topic, connection);
    }
  }

  public void leaveAll() {
    List.copyOf(topics).forEach(this::leave);
  }
}
