package io.pushgateway.loadtest.client;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

/**
 * One subscriber's own keep-alive HTTP connection, as a browser tab would hold: every request of
 * the subscriber goes over it, and it is reopened when the gateway or the network closes it.
 * A shared pool would let subscribers borrow each other's connections and hide the per-device cost.
 */
final class HttpLink {
  private final ClientContext ctx;
  private final Endpoint endpoint;
  private HttpClientConnection connection;
  private Future<HttpClientConnection> connecting;
  private boolean closed;

  HttpLink(ClientContext ctx, Endpoint endpoint) {
    this.ctx = ctx;
    this.endpoint = endpoint;
  }

  private Future<HttpClientConnection> connection() {
    if (closed) {
      return Future.failedFuture("closed");
    }
    if (connection != null) {
      return Future.succeededFuture(connection);
    }
    if (connecting == null) {
      connecting = ctx.http()
        .connect(new HttpConnectOptions().setHost(endpoint.host()).setPort(endpoint.port()))
        .onComplete(ar -> connecting = null)
        .onSuccess(c -> {
          connection = c;
          c.closeHandler(v -> {
            if (connection == c) {
              connection = null;
            }
          });
          if (closed) {
            c.close();
          }
        });
    }
    return connecting;
  }

  /** Sends a GET; the response comes back with its body not yet read (SSE streams it). */
  Future<HttpClientResponse> get(String uri, String lastEventId) {
    MultiMap extra = MultiMap.caseInsensitiveMultiMap();
    if (lastEventId != null) {
      extra.add("Last-Event-ID", lastEventId);
    }
    return getWith(uri, extra);
  }

  /** A GET with {@code extra} headers besides the run's own. */
  Future<HttpClientResponse> getWith(String uri, MultiMap extra) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost(endpoint.host())
      .setPort(endpoint.port()).setURI(uri).setHeaders(MultiMap.caseInsensitiveMultiMap().addAll(ctx.headers())
        .addAll(extra));
    return connection()
      .compose(c -> c.request(options))
      .compose(HttpClientRequest::send);
  }

  /** A POST of {@code body} as text; completes with the answer's status once its body is read. */
  Future<Integer> post(String uri, String body) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(endpoint.host())
      .setPort(endpoint.port()).setURI(uri).setHeaders(MultiMap.caseInsensitiveMultiMap().addAll(ctx.headers())
        .add("Content-Type", "text/plain;charset=UTF-8"));
    return connection()
      .compose(c -> c.request(options))
      .compose(req -> req.send(body))
      .compose(resp -> resp.body().map(b -> resp.statusCode()));
  }

  /** A GET whose 200 body is JSON. */
  Future<JsonObject> getJson(String uri) {
    return get(uri, null)
      .compose(resp -> resp.body().map(body -> statusChecked(uri, resp.statusCode(), body)));
  }

  private static JsonObject statusChecked(String uri, int status, Buffer body) {
    if (status != 200) {
      throw new IllegalStateException("GET " + uri + " answered " + status + ": " + body);
    }
    return body.toJsonObject();
  }

  Future<Void> close() {
    closed = true;
    return connection == null ? Future.succeededFuture() : connection.close();
  }
}
