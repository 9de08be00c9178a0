package io.pushgateway.gateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pushgateway.gateway.Gateway;
import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.metrics.GatewayMetrics;
import io.pushgateway.gateway.metrics.VertxMeters;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real gateway on loopback, on a free port unless the config names one, and a plain HTTP client
 * to publish and query it. The one fixture of the tests: unit-level transport tests and browser
 * tests alike; {@link #stop} and {@link #restart} let a test take the gateway away under its clients.
 * A class whose tests share one registers it: {@code @RegisterExtension static final TestGateway
 * gateway = TestGateway.forAllTests();} starts it as the class loads and closes it after its last test.
 */
public final class TestGateway implements AutoCloseable, AfterAllCallback {

  public final Vertx vertx;
  /** The running gateway; {@link #restart} replaces it. */
  public volatile Gateway gateway;
  public final HttpClient http;
  private final io.vertx.core.Context context;
  /** Kept across {@link #restart}, so clients reconnect to the same address. */
  private int port;

  private TestGateway(Vertx vertx, Gateway gateway) {
    this.vertx = vertx;
    this.gateway = gateway;
    this.port = gateway.port();
    this.http = vertx.createHttpClient();
    this.context = vertx.getOrCreateContext();
  }

  public static TestGateway start(JsonObject config) throws Exception {
    // the transport the push-gateway command runs on (epoll, where its native library loads)
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    return new TestGateway(vertx, deploy(vertx, config.copy().put("port", config.getInteger("port", 0))));
  }

  /**
   * As {@link #start(JsonObject)}, with Vert.x's own meters ({@code vertx_*}) in the scrape, as the
   * push-gateway command runs; a {@link #restart} goes without them.
   */
  public static TestGateway startWithVertxMeters(JsonObject config) throws Exception {
    PrometheusMeterRegistry registry = GatewayMetrics.newRegistry();
    Vertx vertx = VertxMeters.builder(new VertxOptions().setPreferNativeTransport(true), registry).build();
    GatewayConfig gatewayConfig = GatewayConfig.fromJson(config.copy().put("host", "127.0.0.1")
      .put("port", config.getInteger("port", 0)));
    return new TestGateway(vertx, Gateway.deploy(vertx, gatewayConfig, new GatewayMetrics(registry))
      .await(20, TimeUnit.SECONDS));
  }

  public static TestGateway start() throws Exception {
    return start(new JsonObject());
  }

  /** A gateway for all the tests of a class, registered as its extension (see the class comment). */
  public static TestGateway forAllTests(JsonObject config) {
    try {
      return start(config);
    } catch (Exception e) {
      throw new IllegalStateException("the test gateway did not start", e);
    }
  }

  /** As {@link #forAllTests(JsonObject)}, with auth on for {@code tokens}, which then sign on its Vert.x. */
  public static TestGateway forAllTests(TestTokens tokens, JsonObject config) {
    TestGateway gateway = forAllTests(tokens.gatewayConfig().mergeIn(config));
    tokens.bind(gateway.vertx);
    return gateway;
  }

  public static TestGateway forAllTests() {
    return forAllTests(new JsonObject());
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    close();
  }

  public int port() {
    return port;
  }

  /** {@code http://127.0.0.1:<port>}, also while the gateway is stopped. */
  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /** Stops the gateway gracefully (its clients see it go); the Vert.x instance stays. */
  public void stop() throws Exception {
    Gateway running = gateway;
    if (running != null) {
      gateway = null;
      running.close().await(20, TimeUnit.SECONDS);
    }
  }

  /** Stops the gateway and starts a fresh one (new in-memory history, new epoch) on the same port. */
  public void restart(JsonObject config) throws Exception {
    stop();
    gateway = deploy(vertx, config.copy().put("port", port));
  }

  /** Deploys on 127.0.0.1 unless the config names a host. */
  private static Gateway deploy(Vertx vertx, JsonObject config) throws Exception {
    GatewayConfig gatewayConfig = GatewayConfig.fromJson(config.copy().put("host", config.getString("host", "127.0.0.1")));
    return Gateway.deploy(vertx, gatewayConfig).await(20, TimeUnit.SECONDS);
  }

  /** Waits (bounded) until {@code GET /api/topics/{topic}} counts {@code expected} subscribers of a transport. */
  public void awaitSubscribers(String topic, String transport, long expected) throws Exception {
    Eventually.check(vertx, () -> assertThat(get("/api/topics/" + topic).json()
      .getJsonObject("subscribers").getLong(transport)).as(transport + " subscribers of " + topic).isEqualTo(expected));
  }

  /** Publishes over HTTP and returns the 201 body ({@code topic,id,ts}). */
  public JsonObject publish(String topic, Object data) throws Exception {
    return publishAs(null, topic, data);
  }

  /** Publishes over HTTP with a bearer token (null: none) and returns the 201 body. */
  public JsonObject publishAs(String token, String topic, Object data) throws Exception {
    Reply reply = token == null
      ? request(HttpMethod.POST, "/api/topics/" + topic + "/events", Buffer.buffer(io.vertx.core.json.Json.encode(data)),
        "application/json")
      : request(HttpMethod.POST, "/api/topics/" + topic + "/events", Buffer.buffer(io.vertx.core.json.Json.encode(data)),
        "application/json", "Authorization", "Bearer " + token);
    if (reply.status() != 201) {
      throw new IllegalStateException("publish answered " + reply.status() + " " + reply.body());
    }
    return reply.json();
  }

  /** Publishes over HTTP and returns the id the gateway gave the event. */
  public long publishId(String topic, Object data) throws Exception {
    return publish(topic, data).getLong("id");
  }

  public void publishMany(String topic, int count) throws Exception {
    for (int i = 1; i <= count; i++) {
      publish(topic, new JsonObject().put("n", i));
    }
  }

  /** One scrape of this gateway's {@code /metrics}. */
  public Scrape scrape() throws Exception {
    return Scrape.of(vertx, http, port());
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
