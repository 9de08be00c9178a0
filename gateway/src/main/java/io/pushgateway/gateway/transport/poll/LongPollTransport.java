package io.pushgateway.gateway.transport.poll;

import io.pushgateway.gateway.core.Cursor;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.core.ReadRequest;
import io.pushgateway.gateway.http.HttpReplies;
import io.pushgateway.gateway.http.RequestHeadSizes;
import io.pushgateway.gateway.transport.EventFormat;
import io.pushgateway.gateway.transport.PollReply;
import io.pushgateway.gateway.transport.SubscriptionParams;
import io.pushgateway.gateway.core.Transport;
import io.pushgateway.gateway.transport.OpenConnections;
import io.pushgateway.gateway.transport.TransportContext;
import io.pushgateway.gateway.transport.TransportHandler;
import io.vertx.core.Future;
import io.pushgateway.gateway.security.Access;
import io.pushgateway.gateway.security.Grant;
import io.pushgateway.gateway.transport.netty.RePollShortcut;
import io.pushgateway.gateway.transport.Endpoint;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * {@code GET /poll/long?topics=…&cursor=…&timeout=…}: held until an event is past the cursor or
 * the timeout passes. Waiting polls sit in the hub's per-topic lists; nothing polls the log on a
 * timer.
 */
public final class LongPollTransport implements TransportHandler {

  private final TransportContext context;
  private final OpenConnections<LongPoll> waiting;
  private final LiveAnswer liveAnswer = new LiveAnswer();
  private final PollDeadlines deadlines;
  private final int maxRequestLine;

  public LongPollTransport(TransportContext context) {
    this.context = context;
    this.maxRequestLine = RequestHeadSizes.maxLine(context.config());
    this.waiting = new OpenConnections<>(Transport.LONG, context.metrics());
    this.deadlines = new PollDeadlines(context.vertx());
  }

  @Override
  public Transport transport() {
    return Transport.LONG;
  }

  @Override
  public List<Endpoint> routes() {
    return List.of(Endpoint.get("/poll/long", Grant.SUBSCRIBE_TOPICS, this::poll));
  }

  private void poll(RoutingContext ctx) {
    Polls.Asked asked;
    try {
      asked = Polls.Asked.of(ctx, Transport.LONG, "timeout", context.config().longPollTimeoutSeconds(),
        context.config().maxLongPollTimeoutSeconds(), context);
    } catch (GatewayException e) {
      HttpReplies.error(ctx.response(), e, context.metrics());
      return;
    }
    ReadRequest request = asked.read();
    // its re-polls may be taken below Vert.x, once a poll that waits is approved as their template
    boolean template = asked.presence() == null && !request.cursor().isEmpty();
    RePollShortcut.offer(ctx.request(), Access.of(ctx).expiresAtMillis(), maxRequestLine,
      template ? rePolls(request, asked.format(), asked.seconds(), asked.rewind(), Access.of(ctx)) : null);
    if (request.cursor().isEmpty()) {
      Polls.answerFromLog(ctx.request(), asked, Transport.LONG, context);
      return;
    }
    wait(new LongPoll(request, asked.format(), PollReply.of(ctx.request()), asked.presence(), context, this,
      Access.of(ctx)), asked.seconds());
  }

  /**
   * The re-polls of {@code approved}: the same topics, limit, format, timeout, rewind and token
   * (a revoked one's poll is refused as it starts), another cursor.
   */
  private RePollShortcut.Server rePolls(ReadRequest approved, EventFormat format, int timeoutSeconds,
                                        SubscriptionParams.PerTopic rewind, Access access) {
    return cursorParam -> {
      Cursor cursor;
      try {
        cursor = SubscriptionParams.rewound(Cursor.parse(cursorParam, approved.topics()), approved.topics(), rewind);
      } catch (GatewayException e) {
        return null;
      }
      if (cursor.isEmpty()) {
        return null;
      }
      ReadRequest request = approved.from(cursor);
      context.metrics().longPollShortcut();
      return reply -> wait(new LongPoll(request, format, reply, null, context, this, access), timeoutSeconds);
    };
  }

  private void wait(LongPoll poll, int timeoutSeconds) {
    waiting.opened(poll);
    poll.start(timeoutSeconds * 1000L);
  }

  /** Shared by this event loop's polls, all confined to it. */
  LiveAnswer liveAnswer() {
    return liveAnswer;
  }

  /** This event loop's long-poll timeouts. */
  PollDeadlines deadlines() {
    return deadlines;
  }

  void forget(LongPoll poll) {
    waiting.closed(poll);
  }

  @Override
  public Future<Void> drain() {
    waiting.list().forEach(LongPoll::answerNow);
    return Future.succeededFuture();
  }
}
