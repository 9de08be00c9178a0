package io.pushgateway.loadtest.client;

import io.pushgateway.loadtest.stats.SubscriberTracker;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What long and short polling share: a first poll without a cursor (answered at once with the
 * current cursor, so the subscriber starts at "now"), then a loop that sends back the cursor each
 * answer hands out, unchanged. Subclasses decide the path and when the next poll goes out.
 */
abstract class PollLoadClient implements LoadClient {
  protected final ClientContext ctx;
  protected final SubscriberTracker tracker;
  private final HttpLink link;
  private String cursor;
  private int failures;
  protected boolean closed;

  PollLoadClient(ClientContext ctx, Endpoint endpoint, SubscriberTracker tracker) {
    this.ctx = ctx;
    this.tracker = tracker;
    this.link = new HttpLink(ctx, endpoint);
  }

  /** Path and query of one poll, given the cursor to send. */
  protected abstract String pollUri(String cursor);

  /** Called after each answer; must eventually call {@link #poll()} again. */
  protected abstract void scheduleNext(boolean more);

  @Override
  public Future<Void> start() {
    return link.getJson("/poll?topics=" + ctx.topic())
      .map(body -> {
        cursor = body.getString("cursor");
        tracker.startAt(Math.max(0, Events.cursorId(cursor, ctx.topic())));
        scheduleNext(false);
        return null;
      });
  }

  protected final void poll() {
    if (closed) {
      return;
    }
    link.getJson(pollUri(cursor))
      .onSuccess(this::onAnswer)
      .onFailure(this::onFailure);
  }

  private void onAnswer(JsonObject body) {
    failures = 0;
    tracker.stats().pollAnswers.increment();
    JsonArray events = body.getJsonArray("events");
    if (events == null || events.isEmpty()) {
      tracker.stats().emptyPolls.increment();
    }
    Events.deliverPollAnswer(body, tracker);
    cursor = body.getString("cursor", cursor);
    scheduleNext(body.getBoolean("more", false));
  }

  private void onFailure(Throwable err) {
    if (closed) {
      return;
    }
    tracker.stats().errors.increment();
    failures++;
    // back off a little on repeated failures so a down gateway is not hammered
    long delay = ClientContext.RECONNECT_DELAY_MS * Math.min(failures, 10);
    ctx.vertx().setTimer(delay, id -> poll());
  }

  @Override
  public Future<Void> close() {
    closed = true;
    return link.close();
  }
}
