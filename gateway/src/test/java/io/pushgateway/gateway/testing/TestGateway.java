package io.pushgateway.gateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.Gateway;
import io.pushgateway.gateway.config.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;

/** A real gateway on a free port, and a plain HTTP client to publish and query it. */
public final class TestGateway implements AutoCloseable {

  public final Vertx vertx;
  public final Gateway gateway;
  public final HttpClient http;
  private final io.vertx.core.Context context;

  private TestGateway(Vertx vertx, Gateway gateway) {
    this.vertx = vertx;
    this.gateway = gateway;
    this.http = vertx.createHttpClient();
    this.context = vertx.getOrCreateContext();
  }

  public static TestGateway start(JsonObject config) throws Exception {
    Vertx vertx = Vertx.vertx();
    GatewayConfig gatewayConfig = GatewayConfig.fromJson(config.copy().put("port", 0).put("host", "127.0.0.1"));
    return new TestGateway(vertx, Gateway.deploy(vertx, gatewayConfig).await(20, TimeUnit.SECONDS));
  }

  public static TestGateway start() throws Exception {
    return start(new JsonObject());
  }

  public int port() {
    return gateway.port();
  }

  /** Waits (bounded) until {@code GET /api/topics/{topic}} counts {@code expected} subscribers of a transport. */
  public void awaitSubscribers(String topic, String transport, long expected) throws Exception {
    Eventually.check(vertx, () -> assertThat(get("/api/topics/" + topic).json()
      .getJsonObject("subscribers").getLong(transport)).as(transport + " subscribers of " + topic).isEqualTo(expected));
  }

  /** Publishes over HTTP and returns the 201 body ({@code topic,id,ts}). */
  public JsonObject publish(String topic, Object data) throws Exception {
    Reply reply = request(HttpMethod.POST, "/api/topics/" + topic + "/events",
      Buffer.buffer(io.vertx.core.json.Json.encode(data)), "application/json");
    if (reply.status() != 201) {
      throw new IllegalStateException("publish answered " + reply.status() + " " + reply.body());
    }
    return reply.json();
  }

  public void publishMany(String topic, int count) throws Exception {
    for (int i = 1; i <= count; i++) {
      publish(topic, new JsonObject().put("n", i));
    }
  }

  public Reply get(String uri) throws Exception {
    return request(HttpMethod.GET, uri, null, null);
  }

  public Future<Reply> getAsync(String uri) {
    return requestAsync(HttpMethod.GET, uri, null, null);
  }

  public Reply request(HttpMethod method, String uri, Buffer body, String contentType, String... headers)
    throws Exception {
    return requestAsync(method, uri, body, contentType, headers).await(30, TimeUnit.SECONDS);
  }

  public Future<Reply> requestAsync(HttpMethod method, String uri, Buffer body, String contentType, String... headers) {
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port()).setURI(uri);
    if (contentType != null) {
      options.putHeader("Content-Type", contentType);
    }
    for (int i = 0; i + 1 < headers.length; i += 2) {
      options.putHeader(headers[i], headers[i + 1]);
    }
    return StreamClient.onContext(context, () -> http.request(options)
      .compose(r -> body == null ? r.send() : r.send(body))
      .compose(r -> r.body().map(answer -> new Reply(r.statusCode(), r.headers(), answer.toString()))));
  }

  @Override
  public void close() throws Exception {
    vertx.close().await(20, TimeUnit.SECONDS);
  }

  /** An HTTP answer. */
  public record Reply(int status, io.vertx.core.MultiMap headers, String body) {
    public JsonObject json() {
      return new JsonObject(body);
    }

    public String errorCode() {
      return json().getJsonObject("error").getString("code");
    }
  }
}
