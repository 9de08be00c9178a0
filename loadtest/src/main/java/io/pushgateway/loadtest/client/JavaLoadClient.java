package io.pushgateway.loadtest.client;

import com.google.gson.JsonObject;
import io.pushgateway.client.Event;
import io.pushgateway.client.Listener;
import io.pushgateway.client.NoDelaySockets;
import io.pushgateway.client.PushClient;
import io.pushgateway.client.Reset;
import io.pushgateway.loadtest.stats.SubscriberTracker;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;

/**
 * A subscriber that is the project's Java client ({@code --client java}), so the load test
 * measures what it costs per connection (its CPU is the generator's, its threads and memory the
 * generator process's). It starts from the topic's latest id, like the SSE load client, with the
 * transport forced.
 */
final class JavaLoadClient implements LoadClient {

  /** One OkHttp client for every subscriber: one dispatcher and pool, as an app shares its own. */
  private static final OkHttpClient HTTP = shared();

  private final ClientContext ctx;
  private final Endpoint endpoint;
  private final SubscriberTracker tracker;
  private final io.pushgateway.client.Transport transport;
  private PushClient client;

  JavaLoadClient(ClientContext ctx, Endpoint endpoint, SubscriberTracker tracker, Transport transport) {
    this.ctx = ctx;
    this.endpoint = endpoint;
    this.tracker = tracker;
    this.transport = io.pushgateway.client.Transport.valueOf(transport.name());
  }

  private static OkHttpClient shared() {
    Dispatcher dispatcher = new Dispatcher();
    dispatcher.setMaxRequests(100_000);
    dispatcher.setMaxRequestsPerHost(100_000); // a long poll per subscriber waits on one host
    return new OkHttpClient.Builder().dispatcher(dispatcher)
      .connectionPool(new ConnectionPool(20_000, 5, TimeUnit.MINUTES))
      .socketFactory(new NoDelaySockets()).readTimeout(Duration.ZERO).build();
  }

  @Override
  public Future<Void> start() {
    String base = "http://" + endpoint.host() + ":" + endpoint.port();
    return ctx.http().request(io.vertx.core.http.HttpMethod.GET, endpoint.port(), endpoint.host(), "/api/topics/" + ctx.topic())
      .compose(r -> r.send()).compose(r -> r.body().map(body -> r.statusCode() == 200
        ? body.toJsonObject().getLong("lastId", 0L) : 0L))
      .compose(latest -> {
        tracker.startAt(latest);
        Promise<Void> opened = Promise.promise();
        PushClient.Builder builder = PushClient.builder(base).topics(ctx.topic()).transport(transport);
        if (ctx.format().deltas()) {
          builder.deltas();
        }
        if (ctx.compact()) {
          builder.compact();
        }
        client = builder
          .cursor(ctx.topic() + ":" + latest).okHttpClient(HTTP)
          .pollInterval(Duration.ofMillis(ctx.pollIntervalMs())).longPollTimeoutSeconds(ctx.longPollTimeoutS())
          .listener(new Listener() {
            @Override
            public void onOpen(io.pushgateway.client.Transport t, boolean reconnected) {
              opened.tryComplete();
            }

            @Override
            public void onEvent(Event event) {
              if (event.isBinary()) {
                Events.deliverBinary(event.id(), Buffer.buffer(event.bytes()), tracker);
                return;
              }
              JsonObject data = event.data().getAsJsonObject();
              tracker.onEvent(event.id(), data.get("seq").getAsLong(), data.get("t").getAsLong());
            }

            @Override
            public void onReset(Reset reset) {
              tracker.onReset(reset.from());
            }

            @Override
            public void onDisconnect(io.pushgateway.client.Transport t, String reason) {
              tracker.stats().reconnects.increment();
            }
          })
          .build();
        client.connect();
        return opened.future();
      });
  }

  @Override
  public Future<Void> close() {
    if (client != null) {
      client.close();
    }
    return Future.succeededFuture();
  }
}
