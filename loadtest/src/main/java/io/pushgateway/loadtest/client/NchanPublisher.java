package io.pushgateway.loadtest.client;

import io.pushgateway.loadtest.stats.PublishSchedule;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes to Nchan: {@code POST /pub/<channel>} with the event's data as the body, over one
 * keep-alive connection with the requests pipelined, so the publish order is the arrival order and
 * no event waits for the answer to the one before. Nchan answers 201 (stored, subscribers present)
 * or 202 (stored, none yet).
 */
public final class NchanPublisher extends Publisher {
  /** The readiness marker every subscriber gets first ({@code nchan_subscriber_first_message oldest}). */
  static final String MARKER = "{\"marker\":true}";

  private static final long MARKER_TIMEOUT_MS = 3000;
  private static final int MARKER_ATTEMPTS = 3;

  private HttpClient http;

  public NchanPublisher(Context context, Endpoint endpoint, String topic, PublishSchedule schedule, int payloadBytes,
                        PayloadFill fill) {
    super(context, endpoint, topic, schedule, payloadBytes, fill, 1);
  }

  /**
   * Opens the connection and publishes the marker, which creates the channel: connected before the
   * subscribers, each one's first message is the marker, the proof that it is subscribed.
   */
  @Override
  public Future<Void> connect() {
    Promise<Void> connected = Promise.promise();
    // on the publisher's own event loop, as every later publish: the client and its connection live there
    context.runOnContext(v -> createChannel(1).onComplete(connected));
    return connected.future();
  }

  /** The marker's POST on a new connection; one that gets no answer is dropped and tried anew. */
  private Future<Void> createChannel(int attempt) {
    http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setPipelining(true)
      .setPipeliningLimit(10_000).setTcpNoDelay(true), new PoolOptions().setHttp1MaxSize(1));
    return post(MARKER).timeout(MARKER_TIMEOUT_MS, TimeUnit.MILLISECONDS)
      .<Void>map(status -> {
        if (status != 201 && status != 202) {
          throw new IllegalStateException("POST /pub/" + topic + " answered " + status);
        }
        return null;
      })
      .recover(err -> {
        if (attempt >= MARKER_ATTEMPTS || !(err instanceof TimeoutException)) {
          return Future.failedFuture(err);
        }
        return http.close().transform(ar -> createChannel(attempt + 1));
      });
  }

  @Override
  protected void send(long seq, long due) {
    schedule.markSent(seq, System.nanoTime());
    post(data(seq, due)).onComplete(ar -> (ar.succeeded() && (ar.result() == 201 || ar.result() == 202)
      ? acked : rejected).increment());
  }

  private Future<Integer> post(String body) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(endpoint.host())
      .setPort(endpoint.port()).setURI("/pub/" + topic);
    return http.request(options)
      .compose(req -> req.send(Buffer.buffer(body)))
      .compose(resp -> resp.body().map(b -> resp.statusCode()));
  }

  @Override
  public Future<Void> close() {
    done.tryComplete();
    return http == null ? Future.succeededFuture() : http.close();
  }
}
