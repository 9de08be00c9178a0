package io.pushgateway.gateway.transport.poll;

import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.core.Transport;
import io.pushgateway.gateway.presence.Presence;
import io.pushgateway.gateway.presence.PresenceSnapshot;
import io.pushgateway.gateway.security.Access;
import io.pushgateway.gateway.transport.Membership;
import io.pushgateway.gateway.transport.TransportContext;
import io.pushgateway.gateway.wire.JsonText;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * {@code presence=1} on a poll. A poller is present while it keeps polling: each poll renews a
 * lease of its interval (a long poll: its timeout) plus {@code presenceGraceSeconds}, and it
 * leaves when the lease runs out. Its answer carries each topic's current snapshot, not the joins
 * and leaves in between: a poller that comes back sees who is there, not a replay. Each snapshot
 * says when its member list last {@code changed}; a long poll that sends the newest as
 * {@code presenceSeen} is answered at once when it has changed since, and a poll whose
 * {@code presenceSeen} is the newest gets the counts without the members it already has.
 */
final class PollPresence {

  private final Presence presence;
  private final List<String> topics;
  private final Membership membership;
  /** Null for a poller that sends no client id: it reads presence but is not in it. */
  private final String connection;
  private final Transport transport;
  private final long graceMillis;
  /** The client address its leases count against. */
  private final String origin;
  /** {@code presenceSeen=}: the newest {@code changed} of the poller's last answer (0: none). */
  private final long seen;

  private PollPresence(Presence presence, List<String> topics, Membership membership, String connection,
                       Transport transport, long graceMillis, String origin, long seen) {
    this.origin = origin;
    this.presence = presence;
    this.topics = topics;
    this.membership = membership;
    this.connection = connection;
    this.transport = transport;
    this.graceMillis = graceMillis;
    this.seen = seen;
  }

  /**
   * Null when the poll did not ask. Renews the poller's lease: {@code leaseMillis}, how long it
   * stays without polling again, grace excluded.
   */
  static PollPresence of(RoutingContext ctx, List<String> topics, Transport transport, long leaseMillis,
                         TransportContext context) {
    if (!Membership.asked(ctx.request(), context.config())) {
      return null;
    }
    Membership membership = Membership.of(ctx.request(), Access.of(ctx), context.config());
    PollPresence poll = new PollPresence(context.presence(), topics, membership,
      membership.pollerConnection(ctx.request(), transport), transport, context.config().presenceGraceMillis(),
      context.limits().clientOf(ctx.request().remoteAddress()),
      seen(ctx.request().getParam("presenceSeen")));
    // a flood of client ids from one address would fill presence for everyone: a bound per address
    int max = context.config().maxPresencePollersPerIp();
    if (poll.connection != null && poll.presence.view().leasesFrom(poll.origin) + poll.newLeases() > max) {
      throw new GatewayException(ErrorCode.RATE_LIMITED,
        "at most " + max + " presence leases of pollers from one address");
    }
    poll.lease(leaseMillis);
    return poll;
  }

  /** The topics this poller is not present in yet: renewing its own leases never counts. */
  private long newLeases() {
    return topics.stream().filter(topic -> !presence.view().holds(topic, connection)).count();
  }

  private void lease(long millis) {
    if (connection == null) {
      return;
    }
    long expiresAt = System.currentTimeMillis() + millis + graceMillis;
    for (String topic : topics) {
      if (!presence.enter(membership.lease(topic, connection, transport, expiresAt, origin))) {
        throw new GatewayException(ErrorCode.OVERLOADED, "presence is full: not listed in " + topic);
      }
    }
  }

  /**
   * The poller closed its waiting poll: a page that went away. Its lease is cut to the grace, so
   * it leaves within seconds instead of a whole long-poll timeout later, unless it polls again.
   */
  void wentAway() {
    try {
      lease(0);
    } catch (GatewayException full) {
      // a renewal of an occupant already there is never refused
    }
  }

  private static long seen(String value) {
    if (value == null || value.isEmpty()) {
      return 0;
    }
    try {
      long seen = Long.parseLong(value);
      if (seen >= 0) {
        return seen;
      }
    } catch (NumberFormatException ignored) {
      // answered below
    }
    throw new GatewayException(ErrorCode.INVALID_PARAMETER,
      "presenceSeen must be the changed time (milliseconds) of the last answer's presence");
  }

  /**
   * Whether a member joined or left a polled topic after the answer the poller last saw: a long
   * poll then answers at once, so a change that fell between two polls is not held back until
   * the next event or the timeout.
   */
  boolean changedSinceSeen() {
    return seen > 0 && topics.stream().anyMatch(topic -> presence.changedMillis(topic) > seen);
  }

  /**
   * A copy of {@code body} with {@code "presence":{topic:snapshot,…}} added, as things stand now;
   * {@code body} itself is left as it is (it may be shared, see {@link LiveAnswer}).
   */
  Buffer addTo(Buffer body) {
    Buffer answer = body.getBuffer(0, body.length() - 1).appendString(",\"presence\":{");
    String comma = "";
    for (String topic : topics) {
      PresenceSnapshot snapshot = presence.snapshot(topic);
      // a poller that has the list already gets the counts only, not the members again
      answer.appendString(comma).appendString(JsonText.quoted(topic)).appendString(":")
        .appendString(seen > 0 && snapshot.changed() <= seen ? snapshot.unchangedJson() : snapshot.json());
      comma = ",";
    }
    return answer.appendString("}}");
  }
}
