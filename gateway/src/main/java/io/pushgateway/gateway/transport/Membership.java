package io.pushgateway.gateway.transport;

import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.core.Transport;
import io.pushgateway.gateway.presence.Occupant;
import io.pushgateway.gateway.security.Access;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Who a subscriber is in presence, read the same way by all four transports: with auth, the
 * token's {@code sub} and {@code info} claim (a client cannot pass for someone else); without it,
 * {@code name=} where {@code presenceNames} allows, else anonymous (counted, not listed).
 *
 * @param member null: anonymous
 */
public record Membership(String member, JsonObject info) {

  /** {@code presence=1} on a subscription: list me, and tell me who joins and leaves. */
  public static final String PRESENCE_PARAM = "presence";
  /** A self-chosen name: letters, digits and {@code _ . @ : -}, as user ids usually are. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.@:-]{1,64}");
  /** A poller's id for itself, kept across its polls: what makes its polls one occupant. */
  private static final Pattern CLIENT = Pattern.compile("[A-Za-z0-9_-]{8,64}");

  /** Whether the request asks for presence; refused when the gateway serves none. */
  public static boolean asked(HttpServerRequest request, GatewayConfig config) {
    if (!SubscriptionParams.flagParam(request, PRESENCE_PARAM)) {
      return false;
    }
    if (!config.presence()) {
      throw new GatewayException(ErrorCode.INVALID_PARAMETER, "presence is off on this gateway");
    }
    return true;
  }

  public static Membership of(HttpServerRequest request, Access access, GatewayConfig config) {
    if (access.authenticated()) {
      JsonObject info = access.info();
      if (info != null && info.encode().getBytes(StandardCharsets.UTF_8).length > config.maxPresenceInfoBytes()) {
        throw new GatewayException(ErrorCode.INVALID_PARAMETER,
          "the token's info claim is larger than " + config.maxPresenceInfoBytes() + " bytes");
      }
      return new Membership(access.subject(), info);
    }
    String name = request.getParam("name");
    if (name == null || name.isEmpty()) {
      return new Membership(null, null);
    }
    if (access.anonymous()) {
      // with auth on, a name is a token's sub: one made up could pass for someone's
      throw new GatewayException(ErrorCode.INVALID_PARAMETER,
        "name is not accepted here: presence names come from tokens, and this request has none");
    }
    if (!config.presenceNames()) {
      throw new GatewayException(ErrorCode.INVALID_PARAMETER,
        "name is not accepted here: presence names come from tokens (presenceNames is off)");
    }
    if (!NAME.matcher(name).matches()) {
      throw new GatewayException(ErrorCode.INVALID_PARAMETER,
        "name must be 1 to 64 letters, digits or _ . @ : -");
    }
    return new Membership(name, null);
  }

  /**
   * A poller's connection: its identity and the {@code client=} id it sends on every poll, so
   * whichever node it polls renews the same occupant. Null when it sends none (it reads presence
   * but is not in it).
   */
  public String pollerConnection(HttpServerRequest request, Transport transport) {
    String client = request.getParam("client");
    if (client == null || client.isEmpty()) {
      return null;
    }
    if (!CLIENT.matcher(client).matches()) {
      throw new GatewayException(ErrorCode.INVALID_PARAMETER, "client must be 8 to 64 letters, digits, _ or -");
    }
    return "~" + transport.label() + "/" + (member == null ? "" : member) + "/" + client;
  }

  /** A push connection's place in {@code topic}. */
  public Occupant occupant(String topic, String connection, Transport transport) {
    return new Occupant(topic, connection, member, info, transport, System.currentTimeMillis(), 0, null);
  }

  /** A poller's lease on its place in {@code topic}, taken from the client address {@code origin}. */
  public Occupant lease(String topic, String connection, Transport transport, long expiresAtMillis, String origin) {
    return new Occupant(topic, connection, member, info, transport, System.currentTimeMillis(), expiresAtMillis,
      origin);
  }
}
