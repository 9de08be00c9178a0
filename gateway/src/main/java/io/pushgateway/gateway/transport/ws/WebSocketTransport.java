package io.pushgateway.gateway.transport.ws;

import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.security.Access;
import io.pushgateway.gateway.transport.ChannelOutput;
import io.pushgateway.gateway.transport.HttpReplies;
import io.pushgateway.gateway.transport.SubscriptionParams;
import io.pushgateway.gateway.transport.Transport;
import io.pushgateway.gateway.transport.TransportContext;
import io.pushgateway.gateway.transport.TransportHandler;
import io.vertx.core.Future;
import io.vertx.core.http.HttpConnection;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code GET /ws?topics=…&cursor=…}: a WebSocket carrying events and control frames. Parameters are
 * checked before the upgrade, so a bad request gets an HTTP error body, not a dropped socket.
 */
public final class WebSocketTransport implements TransportHandler {

  private final TransportContext context;
  private final Set<WebSocketSession> sessions = new LinkedHashSet<>();

  public WebSocketTransport(TransportContext context) {
    this.context = context;
  }

  @Override
  public Transport transport() {
    return Transport.WS;
  }

  @Override
  public void mount(Router router) {
    router.get("/ws").handler(this::upgrade);
    long interval = context.config().pingIntervalMillis();
    // One sweep per event loop instead of a timer per connection.
    context.vertx().setPeriodic(interval, id -> {
      long now = System.nanoTime();
      new ArrayList<>(sessions).forEach(s -> s.heartbeat(now, interval * 1_000_000));
    });
  }

  private void upgrade(RoutingContext ctx) {
    SubscriptionParams params;
    try {
      params = SubscriptionParams.parse(ctx.request(), context.config());
      if (!ctx.request().canUpgradeToWebSocket()) {
        throw new GatewayException(ErrorCode.INVALID_PARAMETER, "expected a WebSocket upgrade request");
      }
    } catch (GatewayException e) {
      HttpReplies.error(ctx.response(), e, context.metrics());
      return;
    }
    Access access = Access.of(ctx);
    HttpConnection connection = ctx.request().connection();
    ctx.request().toWebSocket().onSuccess(socket -> {
      if (socket.isClosed()) {
        return; // the peer left during the handshake
      }
      WebSocketSession session = new WebSocketSession(socket, new ChannelOutput(connection, context.flushes()),
        context, this, access);
      sessions.add(session);
      session.open(params.topics(), params.cursor());
    }).onFailure(e -> HttpReplies.error(ctx.response(),
      new GatewayException(ErrorCode.INVALID_PARAMETER, "expected a WebSocket upgrade request"), context.metrics()));
  }

  void forget(WebSocketSession session) {
    sessions.remove(session);
  }

  @Override
  public Future<Void> drain() {
    List<WebSocketSession> open = new ArrayList<>(sessions);
    open.forEach(s -> s.close(WebSocketSession.GOING_AWAY, "gateway shutting down, reconnect"));
    return Future.succeededFuture();
  }
}
