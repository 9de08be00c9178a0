package io.pushgateway.loadtest.client;

import io.pushgateway.loadtest.stats.SubscriberTracker;

/**
 * Long polling (RFC 6202, section 2): the gateway holds {@code GET /poll/long} until an event is
 * past the cursor or the timeout passes; the client asks again as soon as an answer arrives.
 */
final class LongPollLoadClient extends PollLoadClient {

  LongPollLoadClient(ClientContext ctx, Endpoint endpoint, SubscriberTracker tracker) {
    super(ctx, endpoint, tracker);
  }

  @Override
  protected String pollUri(String cursor) {
    return "/poll/long?topics=" + ctx.topic() + ctx.formatQuery() + "&cursor=" + cursor + "&timeout=" + ctx.longPollTimeoutS();
  }

  @Override
  protected void scheduleNext(boolean more) {
    poll();
  }
}
