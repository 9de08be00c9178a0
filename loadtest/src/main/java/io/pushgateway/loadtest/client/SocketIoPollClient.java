package io.pushgateway.loadtest.client;

import io.pushgateway.loadtest.stats.SubscriberTracker;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * Socket.IO over Engine.IO's HTTP long-polling transport, as a browser runs it: one connection
 * holds the {@code GET} that waits for packets, a second one sends the client's packets by
 * {@code POST}, so a pong never waits for the held GET. Packets in a body are separated by the
 * record separator (0x1e). The handshake's {@code sid} names the session on every request.
 */
final class SocketIoPollClient implements LoadClient {
  private static final String PATH = "/socket.io/?EIO=4&transport=polling";
  private static final String SEPARATOR = "\u001e";

  private final ClientContext ctx;
  private final SubscriberTracker tracker;
  private final HttpLink receiving;
  private final HttpLink sending;
  private final Promise<Void> ready = Promise.promise();
  private SocketIoSession session;
  private String sid;
  private int failures;
  private boolean closed;

  SocketIoPollClient(ClientContext ctx, Endpoint endpoint, SubscriberTracker tracker) {
    this.ctx = ctx;
    this.tracker = tracker;
    this.receiving = new HttpLink(ctx, endpoint);
    this.sending = new HttpLink(ctx, endpoint);
  }

  @Override
  public Future<Void> start() {
    open().onFailure(ready::tryFail);
    return ready.future();
  }

  /** A new session: the handshake GET, then the polling loop. */
  private Future<Void> open() {
    sid = null;
    session = new SocketIoSession(ctx.topic(), tracker, ready, this::send);
    return receive();
  }

  private Future<Void> receive() {
    String uri = sid == null ? PATH : PATH + "&sid=" + sid;
    return receiving.getWith(uri, MultiMap.caseInsensitiveMultiMap())
      .compose(resp -> resp.body().map(body -> {
        if (resp.statusCode() != 200) {
          throw new IllegalStateException("GET " + uri + " answered " + resp.statusCode() + ": " + body);
        }
        failures = 0;
        tracker.stats().pollAnswers.increment();
        for (String packet : body.toString(StandardCharsets.UTF_8).split(SEPARATOR)) {
          if (packet.startsWith("0") && sid == null) {
            sid = new JsonObject(packet.substring(1)).getString("sid");
          }
          session.onPacket(packet);
        }
        next();
        return (Void) null;
      }));
  }

  private void next() {
    if (!closed) {
      receive().onFailure(this::onFailure);
    }
  }

  private void send(String packet) {
    sending.post(PATH + "&sid=" + sid, packet).onComplete(ar -> {
      if (ar.failed() || ar.result() != 200) {
        tracker.stats().errors.increment();
      }
    });
  }

  /** A failed poll: the session is gone (Socket.IO closed it) or the network; start a new one. */
  private void onFailure(Throwable err) {
    if (closed) {
      return;
    }
    tracker.stats().errors.increment();
    failures++;
    if (!ready.future().isComplete() && failures >= ClientContext.START_ATTEMPTS) {
      ready.tryFail(err);
      return;
    }
    Reconnect.later(ctx, tracker, () -> closed, this::open);
  }

  @Override
  public Future<Void> close() {
    closed = true;
    return Future.join(receiving.close(), sending.close()).mapEmpty();
  }
}
