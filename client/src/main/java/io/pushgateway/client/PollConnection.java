package io.pushgateway.client;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import okhttp3.Call;

/** {@code /poll/long} and {@code /poll}: they share everything but the URL and the pause. */
final class PollConnection extends Connection {

  private final boolean longPoll;
  private Call call;
  private ScheduledFuture<?> next;

  PollConnection(PushClient client, boolean longPoll) {
    super(client, longPoll ? Transport.LONG : Transport.SHORT);
    this.longPoll = longPoll;
  }

  @Override
  void start() {
    poll();
  }

  private void poll() {
    if (stopped) {
      return;
    }
    Map<String, String> query = subscription();
    if (client.options.presence) {
      // present while polling: a lease of the pause between polls, renewed by each poll
      query.put("client", client.pollerId);
      query.put("interval", String.valueOf(Math.max(1, (client.options.pollInterval.toMillis() + 999) / 1000)));
      long seen = client.presence.seen();
      if (seen > 0) {
        query.put("presenceSeen", String.valueOf(seen));
      }
    }
    if (longPoll) {
      // the first poll waits a second at most: the client learns at once that the transport works
      query.put("timeout", String.valueOf(opened ? client.options.longPollTimeoutSeconds : 1));
    }
    Call poll = client.http.newCall(Http.request(client, Http.url(client, longPoll ? "/poll/long" : "/poll", query)).build());
    call = poll;
    // a poll that outlives the gateway's timeout by far is a dead one
    ScheduledFuture<?> guard = client.later(poll::cancel,
      (longPoll ? client.options.longPollTimeoutSeconds * 1000L : 0) + 15_000);
    Http.json(client, poll).whenComplete((body, failure) -> client.run(() -> {
      guard.cancel(false);
      if (stopped) {
        return;
      }
      if (failure != null) {
        Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
        PushClient.Drop drop = new PushClient.Drop(String.valueOf(cause.getMessage()));
        if (cause instanceof PushException) {
          drop.status = ((PushException) cause).status();
          drop.unavailable = drop.status == 404;
        }
        drop(drop);
        return;
      }
      if (!opened) {
        client.opened(this);
      }
      resets(body.get("resets"));
      if (body.has("presence")) {
        body.getAsJsonObject("presence").entrySet()
          .forEach(room -> client.presence.snapshot(room.getKey(), room.getValue().getAsJsonObject()));
      }
      JsonElement events = body.get("events");
      if (events != null && events.isJsonArray()) {
        for (JsonElement event : events.getAsJsonArray()) {
          if (event.isJsonArray()) {
            client.deliverCompact(this, event.getAsJsonArray(), this::topicAt, Map.of());
          } else {
            client.deliver(this, event.getAsJsonObject());
          }
          if (stopped) {
            return; // a gap ended this connection: its cursor must not skip the hole
          }
        }
      }
      if (body.has("cursor")) {
        client.acceptCursor(body.get("cursor").getAsString());
      }
      boolean more = body.has("more") && body.get("more").getAsBoolean();
      // conflating, the next poll waits out the window this answer began
      long conflate = client.options.conflate.toMillis();
      long pause = longPoll ? conflate : Math.max(client.options.pollInterval.toMillis(), conflate);
      boolean answered = events != null && events.isJsonArray() && events.getAsJsonArray().size() > 0;
      if (more || pause <= 0 || longPoll && !answered) {
        poll();
      } else {
        next = client.later(this::poll, pause);
      }
    }));
  }

  @Override
  void close() {
    if (next != null) {
      next.cancel(false);
    }
    if (call != null) {
      call.cancel();
    }
  }
}
