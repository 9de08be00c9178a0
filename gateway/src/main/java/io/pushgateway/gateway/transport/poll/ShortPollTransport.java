package io.pushgateway.gateway.transport.poll;

import io.pushgateway.gateway.core.Cursor;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.core.ReadRequest;
import io.pushgateway.gateway.core.ReadResult;
import io.pushgateway.gateway.http.HttpReplies;
import io.pushgateway.gateway.core.Transport;
import io.pushgateway.gateway.transport.PollReply;
import io.pushgateway.gateway.transport.TransportContext;
import io.pushgateway.gateway.transport.TransportHandler;
import io.vertx.core.Future;
import io.pushgateway.gateway.security.Grant;
import io.pushgateway.gateway.transport.Endpoint;
import io.pushgateway.gateway.transport.EventFormat;
import io.pushgateway.gateway.transport.SubscriptionParams;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * {@code GET /poll?topics=…&cursor=…&limit=…}: answers at once with whatever is past the cursor
 * (plain AJAX polling). Stateless: nothing to drain.
 */
public final class ShortPollTransport implements TransportHandler {

  /** The poll interval a presence lease assumes when the poller names none. */
  private static final int DEFAULT_INTERVAL_SECONDS = 5;

  private final TransportContext context;

  public ShortPollTransport(TransportContext context) {
    this.context = context;
  }

  @Override
  public Transport transport() {
    return Transport.SHORT;
  }

  @Override
  public List<Endpoint> routes() {
    return List.of(Endpoint.get("/poll", Grant.SUBSCRIBE_TOPICS, this::poll));
  }

  private void poll(RoutingContext ctx) {
    ReadRequest request;
    EventFormat format;
    PollPresence presence;
    try {
      request = Polls.readRequest(ctx.request(), context.config());
      format = EventFormat.of(ctx.request());
      // the interval the client says it waits between polls: its lease, with the grace
      int interval = SubscriptionParams.intParam(ctx.request(), "interval", DEFAULT_INTERVAL_SECONDS, 1, 3600);
      presence = PollPresence.of(ctx, request.topics(), Transport.SHORT, interval * 1000L, context);
    } catch (GatewayException e) {
      HttpReplies.error(ctx.response(), e, context.metrics());
      return;
    }
    Cursor head = Polls.atHead(request.topics(), request.cursor(), context.log());
    if (head != null) {
      Polls.answer(PollReply.of(ctx.request()), request, format, ReadResult.nothingNew(head), presence, Transport.SHORT, context);
      return;
    }
    context.log().read(request)
      .onSuccess(result -> Polls.answer(PollReply.of(ctx.request()), request, format, result, presence, Transport.SHORT, context))
      .onFailure(e -> Polls.failed(PollReply.of(ctx.request()), e, context));
  }

  @Override
  public Future<Void> drain() {
    return Future.succeededFuture();
  }
}
