package io.pushgateway.gateway.transport.poll;

import io.pushgateway.gateway.core.Cursor;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.core.ReadResult;
import io.pushgateway.gateway.http.HttpReplies;
import io.pushgateway.gateway.core.Transport;
import io.pushgateway.gateway.transport.PollReply;
import io.pushgateway.gateway.transport.TransportContext;
import io.pushgateway.gateway.transport.TransportHandler;
import io.vertx.core.Future;
import io.pushgateway.gateway.security.Grant;
import io.pushgateway.gateway.transport.Endpoint;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * {@code GET /poll?topics=…&cursor=…&limit=…}: answers at once with whatever is past the cursor
 * (plain AJAX polling). Stateless: nothing to drain.
 */
public final class ShortPollTransport implements TransportHandler {

  /** The poll interval a presence lease assumes when the poller names none. */
  private static final int DEFAULT_INTERVAL_SECONDS = 5;
  private static final int MAX_INTERVAL_SECONDS = 3600;

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
    Polls.Asked asked;
    try {
      // the interval the client says it waits between polls: its presence lease, with the grace
      asked = Polls.Asked.of(ctx, Transport.SHORT, "interval", DEFAULT_INTERVAL_SECONDS, MAX_INTERVAL_SECONDS, context);
    } catch (GatewayException e) {
      HttpReplies.error(ctx.response(), e, context.metrics());
      return;
    }
    Cursor head = Polls.atHead(asked.read().topics(), asked.read().cursor(), context.log());
    if (head != null) {
      Polls.answer(PollReply.of(ctx.request()), asked, ReadResult.nothingNew(head), Transport.SHORT, context);
      return;
    }
    Polls.answerFromLog(ctx.request(), asked, Transport.SHORT, context);
  }

  @Override
  public Future<Void> drain() {
    return Future.succeededFuture();
  }
}
