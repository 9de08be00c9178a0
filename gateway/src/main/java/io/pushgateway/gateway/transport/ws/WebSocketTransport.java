package io.pushgateway.gateway.transport.ws;

import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.security.Access;
import io.pushgateway.gateway.security.Limits;
import io.pushgateway.gateway.security.Grant;
import io.pushgateway.gateway.transport.Endpoint;
import io.pushgateway.gateway.transport.EventFormat;
import io.pushgateway.gateway.transport.Membership;
import io.pushgateway.gateway.http.HttpReplies;
import io.pushgateway.gateway.transport.PushWebSocket;
import io.pushgateway.gateway.transport.SubscriptionParams;
import io.pushgateway.gateway.core.Transport;
import io.pushgateway.gateway.transport.OpenConnections;
import io.pushgateway.gateway.transport.TransportContext;
import io.pushgateway.gateway.transport.TransportHandler;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * {@code GET /ws?topics=…&cursor=…}: a WebSocket carrying events and control frames. Parameters are
 * checked before the upgrade, so a bad request gets an HTTP error body, not a dropped socket.
 */
public final class WebSocketTransport implements TransportHandler {

  private final TransportContext context;
  private final OpenConnections<WebSocketSession> sessions;

  public WebSocketTransport(TransportContext context) {
    this.context = context;
    this.sessions = new OpenConnections<>(Transport.WS, context.metrics());
  }

  @Override
  public Transport transport() {
    return Transport.WS;
  }

  @Override
  public List<Endpoint> routes() {
    // The grant is checked before the upgrade: a refused client gets an HTTP error, not a socket.
    return List.of(Endpoint.get("/ws", Grant.SUBSCRIBE_TOPICS, this::upgrade));
  }

  @Override
  public void start() {
    long interval = context.config().pingIntervalMillis();
    // One sweep per event loop instead of a timer per connection.
    context.vertx().setPeriodic(interval, id -> {
      long now = System.nanoTime();
      sessions.list().forEach(s -> s.heartbeat(now, interval * 1_000_000));
    });
  }

  private void upgrade(RoutingContext ctx) {
    SubscriptionParams params;
    boolean withPresence;
    boolean binaryFrames;
    EventFormat format;
    Membership membership;
    Access access = Access.of(ctx);
    try {
      params = SubscriptionParams.parse(ctx.request(), context.config());
      withPresence = Membership.asked(ctx.request(), context.config());
      binaryFrames = SubscriptionParams.flagParam(ctx.request(), "binary");
      format = EventFormat.of(ctx.request());
      // the identity is settled at the upgrade: a later subscribe op may join presence with it
      membership = context.presence() == null ? null : Membership.of(ctx.request(), access, context.config());
      requireUpgrade(ctx.request());
    } catch (GatewayException e) {
      HttpReplies.error(ctx.response(), e, context.metrics());
      return;
    }
    Limits.UserStream held = context.limits().holdStream(access.subject());
    if (held == null) {
      HttpReplies.error(ctx.response(), context.limits().userStreamsFull(), context.metrics());
      return;
    }
    Future<PushWebSocket> upgraded;
    try {
      upgraded = context.writePath().upgrade(ctx.request());
    } catch (RuntimeException e) {
      held.release(); // whatever ends the upgrade, the user's place is given back
      if (e instanceof GatewayException refused) {
        HttpReplies.error(ctx.response(), refused, context.metrics());
        return;
      }
      throw e;
    }
    upgraded.onFailure(e -> held.release());
    upgraded.onSuccess(socket -> {
      WebSocketSession session = new WebSocketSession(socket, context, this, access, membership, held);
      sessions.opened(session);
      session.open(params.topics(), params.cursor(), withPresence, binaryFrames, format, params.conflation());
    });
  }

  /**
   * A WebSocket upgrade request in the one version there is (RFC 6455 §4.1), else a 400; a request
   * in another version is told which one the gateway speaks (§4.4: it MUST be).
   */
  private static void requireUpgrade(HttpServerRequest request) {
    if (!request.canUpgradeToWebSocket() || request.getHeader("Sec-WebSocket-Key") == null) {
      throw new GatewayException(ErrorCode.INVALID_PARAMETER, "expected a WebSocket upgrade request (version 13)");
    }
    if (!"13".equals(request.getHeader("Sec-WebSocket-Version"))) {
      request.response().putHeader("Sec-WebSocket-Version", "13");
      throw new GatewayException(ErrorCode.INVALID_PARAMETER, "this gateway speaks WebSocket version 13");
    }
  }

  void forget(WebSocketSession session) {
    sessions.closed(session);
  }

  /**
   * Every session closes with 1001 once the publishes it already took are acked; done when every
   * connection has ended (at most the close handshake's timeout after that).
   */
  @Override
  public Future<Void> drain() {
    List<WebSocketSession> open = sessions.list();
    open.forEach(s -> s.closeAfterReplies(WebSocketSession.GOING_AWAY, "gateway shutting down, reconnect"));
    return Future.join(open.stream().map(WebSocketSession::closed).toList()).mapEmpty();
  }
}
