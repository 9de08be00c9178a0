package io.pushgateway.loadtest.client;

import io.pushgateway.loadtest.stats.SubscriberTracker;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * Server-Sent Events subscriber. It starts from the topic's latest id ({@code GET /api/topics/T},
 * 404 meaning 0) so there is no race with the publisher, then holds {@code GET /sse?topics=T&cursor=T:id}.
 * Like a browser's EventSource it reconnects with {@code Last-Event-ID}, the cursor of the last event.
 */
final class SseLoadClient implements LoadClient {
  private final ClientContext ctx;
  private final SubscriberTracker tracker;
  private final HttpLink link;
  private String lastEventId;
  private boolean closed;

  SseLoadClient(ClientContext ctx, Endpoint endpoint, SubscriberTracker tracker) {
    this.ctx = ctx;
    this.tracker = tracker;
    this.link = new HttpLink(ctx, endpoint);
  }

  @Override
  public Future<Void> start() {
    return latestId()
      .compose(id -> {
        tracker.startAt(id);
        return open("/sse?topics=" + ctx.topic() + "&cursor=" + ctx.topic() + ":" + id + ctx.formatQuery(), null);
      });
  }

  private Future<Long> latestId() {
    return link.get("/api/topics/" + ctx.topic(), null)
      .compose(resp -> resp.body().map(body -> {
        if (resp.statusCode() == 404) {
          return 0L;
        }
        if (resp.statusCode() != 200) {
          throw new IllegalStateException("GET /api/topics/" + ctx.topic() + " answered " + resp.statusCode());
        }
        return body.toJsonObject().getLong("lastId", 0L);
      }));
  }

  private Future<Void> open(String uri, String resumeId) {
    return link.get(uri, resumeId).compose(this::stream);
  }

  private Future<Void> stream(HttpClientResponse resp) {
    if (resp.statusCode() != 200) {
      return resp.body().compose(body ->
        Future.failedFuture("GET /sse answered " + resp.statusCode() + ": " + body));
    }
    SseParser parser = new SseParser(this::onEvent);
    resp.handler(parser::feed);
    resp.exceptionHandler(err -> tracker.stats().errors.increment());
    resp.endHandler(v -> reconnect());
    return Future.succeededFuture();
  }

  private void onEvent(String type, String data, String id) {
    lastEventId = id;
    // a compact one-topic stream's patches are events of their own type, bare as its data
    if ((type == null || "patch".equals(type)) && (ctx.compact() ? Events.deliverBare(data, Events.cursorId(id, ctx.topic()), tracker)
        : Events.deliverFast(data, tracker) || Events.deliverFastBase64(data, tracker))) {
      return;
    }
    JsonObject m;
    try {
      m = new JsonObject(data);
    } catch (DecodeException e) {
      tracker.stats().errors.increment();
      return;
    }
    if (type == null || "message".equals(type) || "binary".equals(type) || "patch".equals(type)) {
      Events.deliver(m, tracker);
    } else if ("reset".equals(type)) {
      tracker.onReset(m.getLong("from", 1L));
    }
  }

  /** The stream ended: come back the way EventSource does, with Last-Event-ID. */
  private void reconnect() {
    Reconnect.later(ctx, tracker, () -> closed, () -> open("/sse?topics=" + ctx.topic() + ctx.formatQuery(),
      lastEventId != null ? lastEventId : ctx.topic() + ":" + Math.max(0, tracker.lastId())));
  }

  @Override
  public Future<Void> close() {
    closed = true;
    return link.close();
  }
}
