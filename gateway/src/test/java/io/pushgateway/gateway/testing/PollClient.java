package io.pushgateway.gateway.testing;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Long- or short-polling subscriber: each answer hands out the cursor for the next request.
 * Without a starting cursor the first poll answers at once with the current one ("now").
 */
public final class PollClient extends StreamClient {

  private static final long SHORT_POLL_INTERVAL_MS = 50;

  private final boolean longPoll;
  private HttpClient client;
  private String topics;
  private volatile boolean stopped;
  /** The newest presence change its answers showed, sent back so a long poll tells of a change it missed. */
  private long presenceSeen;

  public PollClient(Vertx vertx, int port, boolean longPoll) {
    super(vertx, port);
    this.longPoll = longPoll;
  }

  @Override
  public PollClient open(String topics, String cursor) throws Exception {
    this.topics = topics;
    subscription(topics, cursor);
    client = vertx.createHttpClient();
    Promise<Void> first = Promise.promise();
    context.runOnContext(v -> poll(cursor, first));
    first.future().await(OPEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    return this;
  }

  private void poll(String cursor, Promise<Void> first) {
    if (stopped || client == null) {
      return;
    }
    String uri = (longPoll ? "/poll/long" : "/poll") + "?topics=" + topics
      + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8))
      + (longPoll ? "&timeout=5" : "") + extraQuery + (presenceSeen > 0 ? "&presenceSeen=" + presenceSeen : "");
    Future<io.vertx.core.http.HttpClientRequest> sent;
    try {
      sent = client.request(HttpMethod.GET, port, "localhost", uri);
    } catch (IllegalStateException closedMeanwhile) {
      return; // close() ran on the test's thread since the check above
    }
    sent
      .compose(request -> {
        Future<HttpClientResponse> response = request.response();
        // A long poll with a cursor may be held: it is subscribed once the request is sent.
        request.end().onSuccess(v -> {
          if (longPoll && cursor != null) {
            first.tryComplete();
          }
        });
        return response;
      })
      .compose(r -> r.statusCode() == 200 ? r.body() : Future.failedFuture("status " + r.statusCode()))
      .onSuccess(body -> {
        JsonObject answer = body.toJsonObject();
        String next = answer.getString("cursor");
        onCursor(next);
        if (compact != null) {
          // a compact answer's ids follow from the cursor this poll sent
          compact.seed(cursor);
          answer.getJsonArray("resets").forEach(r -> compact.at(((JsonObject) r).getString("topic"),
            ((JsonObject) r).getLong("from") - 1));
        }
        answer.getJsonArray("resets").forEach(r -> onReset((JsonObject) r));
        answer.getJsonArray("events").forEach(e -> onEvent(e instanceof JsonArray array
          ? compact.expand(array, java.util.Map.of()) : compact == null ? (JsonObject) e : compact.saw((JsonObject) e)));
        JsonObject presence = answer.getJsonObject("presence");
        if (presence != null) {
          presence.forEach(entry -> {
            JsonObject snapshot = (JsonObject) entry.getValue();
            presenceSeen = Math.max(presenceSeen, snapshot.getLong("changed"));
            if (snapshot.getBoolean("unchanged", false)) {
              return; // the members it has already
            }
            onPresence(new JsonObject().put("op", "presence").put("topic", entry.getKey()).mergeIn(snapshot));
          });
        }
        first.tryComplete();
        if (longPoll || answer.getBoolean("more")) {
          poll(next, first);
        } else {
          vertx.setTimer(SHORT_POLL_INTERVAL_MS, t -> poll(next, first));
        }
      })
      .onFailure(e -> {
        if (!stopped) {
          first.tryFail(e);
        }
      });
  }

  @Override
  public void close() throws Exception {
    if (client == null) {
      return;
    }
    // On the polls' context, so the next poll is either sent or never started when the client
    // closes, never being sent meanwhile; closing the client also ends a waiting long poll.
    onContext(context, () -> {
      stopped = true;
      return client.close();
    }).await(5, TimeUnit.SECONDS);
  }
}
