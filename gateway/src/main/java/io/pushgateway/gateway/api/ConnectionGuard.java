package io.pushgateway.gateway.api;

import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.http.HttpReplies;
import io.pushgateway.gateway.metrics.GatewayMetrics;
import io.pushgateway.gateway.security.Access;
import io.pushgateway.gateway.security.Limits;
import io.pushgateway.gateway.transport.netty.RawConnection;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * One HTTP server's side of {@link Limits}, on its event loop. Every TCP connection is counted
 * when it opens and uncounted when it closes, whichever way it ends. A connection over
 * {@code maxConnections} or {@code maxConnectionsPerIp} is not served: its first request gets
 * {@code 503 overloaded} and the connection is closed (one that sends nothing is closed after a
 * few seconds). Requests of admitted connections get their {@link Access}; their connections run
 * head, body and idle clocks ({@link RawConnection#startClocks}), so a silent or trickling one
 * gives its slot back.
 */
public final class ConnectionGuard implements Handler<RoutingContext> {

  private static final long REFUSED_GRACE_MILLIS = 5_000;
  /**
   * What a connection was told when it opened, kept with its TCP connection (never with the
   * Vert.x object a raw WebSocket leaves behind), and read on each of its requests.
   */
  private static final RawConnection.Attachment<Admission> ADMISSION =
    new RawConnection.Attachment<>("push-gateway-admission");

  private final Vertx vertx;
  private final Limits limits;
  private final GatewayMetrics metrics;
  private final long requestHeadTimeoutMillis;
  private final long requestBodyTimeoutMillis;
  private final long idleTimeoutMillis;

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
   * ({@link RawConnection#whenClosed}): a WebSocket may leave Vert.x after its handshake, so
   * Vert.x's close handler would not hear of its end.
   */
  public void onConnection(HttpConnection connection) {
    String ip = limits.clientOf(connection.remoteAddress());
    RawConnection raw = RawConnection.of(connection);
    if (limits.open(ip)) {
      raw.attach(ADMISSION, new Admission(limits.access(ip)));
      raw.whenClosed(() -> limits.close(ip));
      raw.startClocks(requestHeadTimeoutMillis, requestBodyTimeoutMillis, idleTimeoutMillis);
    } else {
      raw.attach(ADMISSION, Admission.REFUSED);
      vertx.setTimer(REFUSED_GRACE_MILLIS, t -> raw.close());
    }
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpConnection connection = ctx.request().connection();
    Admission admission = ADMISSION.of(connection);
    if (admission == Admission.REFUSED) {
      ctx.response().putHeader(HttpHeaders.CONNECTION, "close")
        .endHandler(v -> connection.close());
      HttpReplies.error(ctx.response(),
        new GatewayException(ErrorCode.OVERLOADED, "too many open connections, retry later"), metrics);
      return;
    }
    if (admission != null && admission.access() != null) {
      admission.access().attachTo(ctx);
    }
    ctx.next();
  }

  /** Admitted with its client's {@link Access}, or {@link #REFUSED}. */
  private record Admission(Access access) {
    static final Admission REFUSED = new Admission(null);
  }
}
