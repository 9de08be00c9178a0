package io.pushgateway.gateway.transport.sse;

import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.security.Access;
import io.pushgateway.gateway.security.Limits;
import io.pushgateway.gateway.security.Grant;
import io.pushgateway.gateway.transport.Endpoint;
import io.pushgateway.gateway.transport.EventFormat;
import io.pushgateway.gateway.transport.Membership;
import io.pushgateway.gateway.transport.OpenConnections;
import io.pushgateway.gateway.http.HttpReplies;
import io.pushgateway.gateway.transport.SseOutput;
import io.pushgateway.gateway.transport.SubscriptionParams;
import io.pushgateway.gateway.core.Transport;
import io.pushgateway.gateway.transport.TransportContext;
import io.pushgateway.gateway.transport.TransportHandler;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * {@code GET /sse?topics=…&cursor=…}: a {@code text/event-stream} (WHATWG HTML, "Server-sent
 * events"). {@code Last-Event-ID}, sent by the browser's automatic reconnect, wins over the URL's
 * cursor.
 */
public final class SseTransport implements TransportHandler {

  private final TransportContext context;
  private final OpenConnections<SseSession> sessions;

  public SseTransport(TransportContext context) {
    this.context = context;
    this.sessions = new OpenConnections<>(Transport.SSE, context.metrics());
  }

  @Override
  public Transport transport() {
    return Transport.SSE;
  }

  @Override
  public List<Endpoint> routes() {
    return List.of(Endpoint.get("/sse", Grant.SUBSCRIBE_TOPICS, this::open));
  }

  @Override
  public void start() {
    context.vertx().setPeriodic(context.config().sseKeepAliveMillis(),
      id -> sessions.list().forEach(SseSession::keepAlive));
  }

  private void open(RoutingContext ctx) {
    SubscriptionParams params;
    EventFormat format;
    Membership membership;
    try {
      String lastEventId = ctx.request().getHeader("Last-Event-ID");
      String cursor = lastEventId != null && !lastEventId.isBlank() ? lastEventId : ctx.request().getParam("cursor");
      params = SubscriptionParams.parse(ctx.request(), cursor, context.config());
      format = EventFormat.of(ctx.request());
      membership = Membership.asked(ctx.request(), context.config())
        ? Membership.of(ctx.request(), Access.of(ctx), context.config()) : null;
    } catch (GatewayException e) {
      HttpReplies.error(ctx.response(), e, context.metrics());
      return;
    }
    ctx.response()
      .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
      .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
      .putHeader("X-Accel-Buffering", "no");
    // The stream begins once Vert.x has read the whole request, so it counts the request as ended
    // even where the connection is then taken from it (see WritePath).
    ctx.request().end().onSuccess(v -> {
      Limits.UserStream held = context.limits().holdStream(Access.of(ctx).subject());
      if (held == null) {
        HttpReplies.error(ctx.response(), context.limits().userStreamsFull(), context.metrics());
        return;
      }
      SseOutput output;
      try {
        output = context.writePath().sse(ctx.request());
      } catch (RuntimeException e) {
        held.release(); // whatever ends the stream's start, the user's place is given back
        throw e;
      }
      SseSession session = new SseSession(output, context, this, held);
      sessions.opened(session);
      session.open(params.topics(), params.cursor(), Access.of(ctx), membership, format, params.conflation());
    });
  }

  void forget(SseSession session) {
    sessions.closed(session);
  }

  @Override
  public Future<Void> drain() {
    sessions.list().forEach(SseSession::close);
    return Future.succeededFuture();
  }
}
