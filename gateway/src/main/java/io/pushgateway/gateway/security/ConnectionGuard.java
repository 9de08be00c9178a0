package io.pushgateway.gateway.security;

import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.metrics.GatewayMetrics;
import io.pushgateway.gateway.transport.HttpReplies;
import io.pushgateway.gateway.transport.netty.Connections;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * One HTTP server's side of {@link Limits}, on its event loop. Every TCP connection is counted
 * when it opens and uncounted when it closes, whichever way it ends. A connection over
 * {@code maxConnections} or {@code maxConnectionsPerIp} is not served: its first request gets
 * {@code 503 overloaded} and the connection is closed (one that sends nothing is closed after a
 * few seconds). Requests of admitted connections get their {@link Access}; their connections run
 * a head and an idle clock ({@link Connections#startClocks}), so a silent or trickling one gives
 * its slot back.
 */
public final class ConnectionGuard implements Handler<RoutingContext> {

  private static final long REFUSED_GRACE_MILLIS = 5_000;

  private final Vertx vertx;
  private final Limits limits;
  private final GatewayMetrics metrics;
  private final long requestHeadTimeoutMillis;
  private final long requestBodyTimeoutMillis;
  private final long idleTimeoutMillis;
  private final Map<HttpConnection, Access> admitted = new HashMap<>();
  private final Set<HttpConnection> refused = new HashSet<>();

  public ConnectionGuard(Vertx vertx, GatewayConfig config, Limits limits, GatewayMetrics metrics) {
    this.vertx = vertx;
    this.limits = limits;
    this.metrics = metrics;
    this.requestHeadTimeoutMillis = config.requestHeadTimeoutMillis();
    this.requestBodyTimeoutMillis = config.requestBodyTimeoutMillis();
    this.idleTimeoutMillis = config.idleTimeoutMillis();
  }

  /**
   * The server's connection handler. Connections are uncounted when their TCP connection closes
   * ({@link Connections#whenClosed}): a WebSocket may leave Vert.x after its handshake, so Vert.x's
   * close handler would not hear of its end.
   */
  public void onConnection(HttpConnection connection) {
    String ip = ip(connection);
    if (limits.open(ip)) {
      admitted.put(connection, new Access(limits.connectionBucket(), limits.ipBucket(ip)));
      Connections.whenClosed(connection, () -> {
        admitted.remove(connection);
        limits.close(ip);
      });
      Connections.startClocks(connection, requestHeadTimeoutMillis, requestBodyTimeoutMillis, idleTimeoutMillis);
    } else {
      refused.add(connection);
      Connections.whenClosed(connection, () -> refused.remove(connection));
      vertx.setTimer(REFUSED_GRACE_MILLIS, t -> Connections.close(connection));
    }
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpConnection connection = ctx.request().connection();
    if (refused.contains(connection)) {
      ctx.response().putHeader(HttpHeaders.CONNECTION, "close").putHeader("Retry-After", "1")
        .endHandler(v -> connection.close());
      HttpReplies.error(ctx.response(),
        new GatewayException(ErrorCode.OVERLOADED, "too many open connections, retry later"), metrics);
      return;
    }
    Access access = admitted.get(connection);
    if (access != null) {
      ctx.put(Access.KEY, access);
    }
    ctx.next();
  }

  /** Forgets idle client state; called now and then. */
  public void sweep() {
    limits.sweep();
  }

  private static String ip(HttpConnection connection) {
    return connection.remoteAddress() == null ? "unknown" : connection.remoteAddress().hostAddress();
  }
}
