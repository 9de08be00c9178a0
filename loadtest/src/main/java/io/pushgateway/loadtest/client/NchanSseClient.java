package io.pushgateway.loadtest.client;

import io.pushgateway.loadtest.stats.SubscriberTracker;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClientResponse;

/**
 * Nchan EventSource subscriber: {@code GET /sub/<channel>} with {@code Accept: text/event-stream};
 * each message comes as {@code id: <time:tag>} and {@code data: <data>}. Like a browser's
 * EventSource it reconnects with {@code Last-Event-ID}.
 */
final class NchanSseClient implements LoadClient {
  private final ClientContext ctx;
  private final SubscriberTracker tracker;
  private final HttpLink link;
  private final Promise<Void> ready = Promise.promise();
  private String lastEventId;
  private boolean closed;

  NchanSseClient(ClientContext ctx, Endpoint endpoint, SubscriberTracker tracker) {
    this.ctx = ctx;
    this.tracker = tracker;
    this.link = new HttpLink(ctx, endpoint);
  }

  @Override
  public Future<Void> start() {
    open().onFailure(ready::tryFail);
    return ready.future();
  }

  private Future<Void> open() {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Accept", "text/event-stream");
    if (lastEventId != null) {
      headers.add("Last-Event-ID", lastEventId);
    }
    return link.getWith("/sub/" + ctx.topic(), headers).compose(this::stream);
  }

  private Future<Void> stream(HttpClientResponse resp) {
    if (resp.statusCode() != 200) {
      return resp.body().compose(body -> Future.failedFuture("GET /sub answered " + resp.statusCode() + ": " + body));
    }
    SseParser parser = new SseParser((type, data, id) -> {
      lastEventId = id;
      NchanMessages.deliver(data, tracker, ready);
    });
    resp.handler(parser::feed);
    resp.exceptionHandler(err -> tracker.stats().errors.increment());
    resp.endHandler(v -> reconnect());
    return Future.succeededFuture();
  }

  private void reconnect() {
    Reconnect.later(ctx, tracker, () -> closed, this::open);
  }

  @Override
  public Future<Void> close() {
    closed = true;
    return link.close();
  }
}
