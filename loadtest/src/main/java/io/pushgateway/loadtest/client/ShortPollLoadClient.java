package io.pushgateway.loadtest.client;

import io.pushgateway.loadtest.stats.SubscriberTracker;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Short (AJAX) polling: {@code GET /poll} on a fixed-rate timetable, like {@code setInterval}, and
 * at once while the answer says {@code more}. Each subscriber starts at a random phase of the
 * interval, as independent browsers would, so polls do not arrive in lockstep.
 */
final class ShortPollLoadClient extends PollLoadClient {
  private final long intervalNanos;
  private long nextDue;

  ShortPollLoadClient(ClientContext ctx, Endpoint endpoint, SubscriberTracker tracker) {
    super(ctx, endpoint, tracker);
    this.intervalNanos = ctx.pollIntervalMs() * 1_000_000L;
  }

  @Override
  protected String pollUri(String cursor) {
    return "/poll?topics=" + ctx.topic() + ctx.formatQuery() + "&cursor=" + cursor;
  }

  @Override
  protected void scheduleNext(boolean more) {
    long now = System.nanoTime();
    if (nextDue == 0) {
      nextDue = now + ThreadLocalRandom.current().nextLong(intervalNanos);
    } else if (more) {
      poll();
      return;
    } else {
      nextDue += intervalNanos;
      if (nextDue < now) {
        nextDue = now; // the answer took longer than an interval: ask again at once, then keep the rate
      }
    }
    long waitMs = (nextDue - now) / 1_000_000L;
    if (waitMs < 1) {
      poll();
    } else {
      ctx.vertx().setTimer(waitMs, id -> poll());
    }
  }
}
