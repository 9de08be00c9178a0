package io.pushgateway.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pushgateway.gateway.Gateway;
import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.testing.Eventually;
import io.pushgateway.gateway.testing.Scrape;
import io.pushgateway.gateway.testing.StreamClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real traffic over each transport against a real gateway (Vert.x meters on, as in
 * {@code GatewayMain}), then a real scrape of {@code /metrics}: each meter moved by exactly what
 * the clients saw. Every test uses its own topics and compares against a scrape taken before.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TransportMetricsTest {

  private static Vertx vertx;
  private static Gateway gateway;
  private static HttpClient http;
  private static WebSocketClient wsClient;

  @BeforeAll
  static void start() throws Exception {
    PrometheusMeterRegistry registry = GatewayMetrics.newRegistry();
    vertx = VertxMeters.builder(new VertxOptions(), registry).build();
    GatewayConfig config = GatewayConfig.defaults().with("port", 0).with("host", "127.0.0.1").with("instances", 2);
    gateway = Gateway.deploy(vertx, config, new GatewayMetrics(registry)).await(20, TimeUnit.SECONDS);
    http = vertx.createHttpClient();
    wsClient = vertx.createWebSocketClient();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(20, TimeUnit.SECONDS);
  }

  @Test
  void webSocketDeliveriesBytesLatencyAndConnections() throws Exception {
    Scrape before = scrape();
    List<String> events = new CopyOnWriteArrayList<>();
    Promise<Void> subscribed = Promise.promise();
    ClientWebSocket ws = wsClient.webSocket();
    ws.textMessageHandler(text -> {
      JsonObject frame = new JsonObject(text);
      if ("subscribed".equals(frame.getString("op"))) {
        subscribed.tryComplete();
      } else if (!frame.containsKey("op")) {
        events.add(text);
      }
    });
    ws.connect(gateway.port(), "127.0.0.1", "/ws?topics=m.ws").await(10, TimeUnit.SECONDS);
    subscribed.future().await(10, TimeUnit.SECONDS);
    Eventually.check(vertx, () -> {
      Scrape now = scrape();
      assertThat(delta(before, now, "pushgateway_connections", "transport", "ws")).isEqualTo(1);
      assertThat(delta(before, now, "pushgateway_subscriptions", "transport", "ws")).isEqualTo(1);
    });

    publish("m.ws", 3);
    Eventually.check(vertx, () -> assertThat(events).hasSize(3));
    long bytes = events.stream().mapToLong(e -> e.getBytes(StandardCharsets.UTF_8).length).sum();
    Eventually.check(vertx, () -> {
      Scrape now = scrape();
      assertThat(delta(before, now, "pushgateway_events_published_total")).isEqualTo(3);
      assertThat(delta(before, now, "pushgateway_deliveries_total", "transport", "ws")).isEqualTo(3);
      assertThat(delta(before, now, "pushgateway_written_bytes_total", "transport", "ws")).isEqualTo(bytes);
      // One live fan-out per event on the one event loop holding the subscriber: one sample each.
      assertThat(delta(before, now, "pushgateway_delivery_latency_seconds_count", "transport", "ws")).isEqualTo(3);
      assertThat(now.value("pushgateway_delivery_latency_seconds_bucket", "transport", "ws", "le", "+Inf"))
        .isEqualTo(now.value("pushgateway_delivery_latency_seconds_count", "transport", "ws"));
      assertThat(delta(before, now, "pushgateway_history_events")).isEqualTo(3);
      assertThat(delta(before, now, "pushgateway_history_topics")).isEqualTo(1);
      assertThat(delta(before, now, "pushgateway_deliveries_total", "transport", "sse")).isZero();
    });

    ws.close().await(10, TimeUnit.SECONDS);
    Eventually.check(vertx, () -> {
      Scrape now = scrape();
      assertThat(delta(before, now, "pushgateway_connections", "transport", "ws")).isZero();
      assertThat(delta(before, now, "pushgateway_subscriptions", "transport", "ws")).isZero();
    });
  }

  @Test
  void sseDeliveriesBytesLatencyAndConnections() throws Exception {
    publish("m.sse", 1); // the stream starts from history, so no event can fall before "now"
    List<String> dataLines = new CopyOnWriteArrayList<>();
    List<String> frames = new CopyOnWriteArrayList<>();
    StringBuilder pending = new StringBuilder();
    // The chain runs on an event loop, so the handler is on before the first chunk can arrive.
    HttpClientResponse response = StreamClient.onContext(vertx.getOrCreateContext(), () -> http.request(HttpMethod.GET,
        gateway.port(), "127.0.0.1", "/sse?topics=m.sse&cursor=m.sse:0")
      .compose(r -> r.send())
      .map(r -> r.handler(chunk -> {
        pending.append(chunk.toString(StandardCharsets.UTF_8));
        int end;
        while ((end = pending.indexOf("\n\n")) >= 0) {
          String frame = pending.substring(0, end + 2);
          for (String line : pending.substring(0, end).split("\n")) {
            if (line.startsWith("data: ")) {
              frames.add(frame);
              dataLines.add(line.substring("data: ".length()));
            }
          }
          pending.delete(0, end + 2);
        }
      })))
      .await(10, TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(200);
    Eventually.check(vertx, () -> assertThat(dataLines).hasSize(1));

    Scrape before = scrape();
    assertThat(before.value("pushgateway_connections", "transport", "sse")).isGreaterThanOrEqualTo(1);
    publish("m.sse", 2);
    Eventually.check(vertx, () -> assertThat(dataLines).hasSize(3));
    // The gateway counts every byte of each event it writes: id line, data line, blank line.
    long bytes = frames.subList(1, 3).stream()
      .mapToLong(f -> f.getBytes(StandardCharsets.UTF_8).length).sum();
    Eventually.check(vertx, () -> {
      Scrape now = scrape();
      assertThat(delta(before, now, "pushgateway_deliveries_total", "transport", "sse")).isEqualTo(2);
      assertThat(delta(before, now, "pushgateway_written_bytes_total", "transport", "sse")).isEqualTo(bytes);
      assertThat(delta(before, now, "pushgateway_delivery_latency_seconds_count", "transport", "sse")).isEqualTo(2);
      assertThat(delta(before, now, "pushgateway_connections", "transport", "sse")).isZero();
    });

    response.request().connection().close();
    Eventually.check(vertx, () -> assertThat(delta(before, scrape(), "pushgateway_connections", "transport", "sse"))
      .isEqualTo(-1));
  }

  @Test
  void longPollsByResultDeliveriesAndWaitingRequests() throws Exception {
    Scrape before = scrape();
    // Without a cursor: an immediate, empty answer that hands out the cursor.
    JsonObject first = get("/poll/long?topics=m.long").toJsonObject();
    assertThat(first.getJsonArray("events")).isEmpty();

    Future<Buffer> waiting = StreamClient.onContext(vertx.getOrCreateContext(), () -> http.request(HttpMethod.GET,
        gateway.port(), "127.0.0.1", "/poll/long?topics=m.long&timeout=20&cursor=" + first.getString("cursor"))
      .compose(r -> r.send())
      .compose(HttpClientResponse::body));
    Eventually.check(vertx, () -> assertThat(delta(before, scrape(), "pushgateway_connections", "transport", "long"))
      .isEqualTo(1));
    publish("m.long", 1);
    Buffer answer = waiting.await(10, TimeUnit.SECONDS);
    assertThat(answer.toJsonObject().getJsonArray("events")).hasSize(1);

    Eventually.check(vertx, () -> {
      Scrape now = scrape();
      assertThat(delta(before, now, "pushgateway_polls_total", "result", "empty", "transport", "long")).isEqualTo(1);
      assertThat(delta(before, now, "pushgateway_polls_total", "result", "events", "transport", "long")).isEqualTo(1);
      assertThat(delta(before, now, "pushgateway_deliveries_total", "transport", "long")).isEqualTo(1);
      assertThat(delta(before, now, "pushgateway_written_bytes_total", "transport", "long")).isEqualTo(answer.length());
      assertThat(delta(before, now, "pushgateway_delivery_latency_seconds_count", "transport", "long")).isEqualTo(1);
      assertThat(delta(before, now, "pushgateway_connections", "transport", "long")).isZero();
    });
  }

  @Test
  void shortPollsByResultDeliveriesAndResets() throws Exception {
    Scrape before = scrape();
    JsonObject empty = get("/poll?topics=m.short").toJsonObject();
    publish("m.short", 2);
    Buffer answer = get("/poll?topics=m.short&cursor=" + empty.getString("cursor"));
    assertThat(answer.toJsonObject().getJsonArray("events")).hasSize(2);
    // Another epoch: a reset, then the events from the oldest kept.
    Buffer reset = get("/poll?topics=m.short&cursor=m.short:1:zzzzzz");
    assertThat(reset.toJsonObject().getJsonArray("resets")).hasSize(1);

    Scrape now = scrape();
    assertThat(delta(before, now, "pushgateway_polls_total", "result", "empty", "transport", "short")).isEqualTo(1);
    assertThat(delta(before, now, "pushgateway_polls_total", "result", "events", "transport", "short")).isEqualTo(2);
    assertThat(delta(before, now, "pushgateway_deliveries_total", "transport", "short")).isEqualTo(4);
    assertThat(delta(before, now, "pushgateway_written_bytes_total", "transport", "short"))
      .isEqualTo(answer.length() + reset.length());
    assertThat(delta(before, now, "pushgateway_resets_total", "transport", "short")).isEqualTo(1);
    // Polled events are not a live fan-out: their age is the poll interval, not the gateway's delay.
    assertThat(delta(before, now, "pushgateway_delivery_latency_seconds_count", "transport", "short")).isZero();
  }

  @Test
  void rejectedRequestsAndWebSocketResetsByCode() throws Exception {
    publish("m.reject", 1);
    Scrape before = scrape();
    HttpClientResponse bad = http.request(HttpMethod.GET, gateway.port(), "127.0.0.1", "/poll?topics=bad!topic")
      .compose(r -> r.send()).await(10, TimeUnit.SECONDS);
    assertThat(bad.statusCode()).isEqualTo(400);

    List<JsonObject> frames = new CopyOnWriteArrayList<>();
    ClientWebSocket ws = wsClient.webSocket();
    ws.textMessageHandler(text -> frames.add(new JsonObject(text)));
    // A cursor past the topic's last id: the gateway must say "reset", not skip silently.
    ws.connect(gateway.port(), "127.0.0.1", "/ws?topics=m.reject&cursor=m.reject:99").await(10, TimeUnit.SECONDS);
    Eventually.check(vertx, () -> assertThat(frames).anyMatch(f -> "reset".equals(f.getString("op"))));
    ws.writeTextMessage("not json").await(10, TimeUnit.SECONDS);
    Eventually.check(vertx, () -> assertThat(frames).anyMatch(f -> "error".equals(f.getString("op"))));
    ws.close().await(10, TimeUnit.SECONDS);

    Eventually.check(vertx, () -> {
      Scrape now = scrape();
      assertThat(delta(before, now, "pushgateway_rejected_requests_total", "code", "invalid_topic")).isEqualTo(1);
      assertThat(delta(before, now, "pushgateway_rejected_requests_total", "code", "invalid_json")).isEqualTo(1);
      assertThat(delta(before, now, "pushgateway_resets_total", "transport", "ws")).isEqualTo(1);
    });
  }

  private static Scrape scrape() throws Exception {
    return Scrape.of(vertx, http, gateway.port());
  }

  private static double delta(Scrape before, Scrape after, String name, String... labels) {
    assertThat(after.has(name, labels)).as("series %s", Scrape.key(name, labels)).isTrue();
    return after.value(name, labels) - before.value(name, labels);
  }

  private static void publish(String topic, int count) throws Exception {
    for (int i = 0; i < count; i++) {
      int n = i;
      HttpClientResponse response = http.request(new RequestOptions().setMethod(HttpMethod.POST)
          .setHost("127.0.0.1").setPort(gateway.port()).setURI("/api/topics/" + topic + "/events")
          .putHeader("Content-Type", "application/json"))
        .compose(r -> r.send(new JsonObject().put("n", n).encode()))
        .await(10, TimeUnit.SECONDS);
      assertThat(response.statusCode()).isEqualTo(201);
    }
  }

  private static Buffer get(String uri) throws Exception {
    // On an event loop, so the body's handler is on before its chunks arrive.
    return StreamClient.onContext(vertx.getOrCreateContext(), () -> http.request(HttpMethod.GET, gateway.port(),
        "127.0.0.1", uri)
      .compose(r -> r.send())
      .compose(response -> response.body().map(body -> {
        assertThat(response.statusCode()).as("GET %s: %s", uri, body).isEqualTo(200);
        return body;
      })))
      .await(10, TimeUnit.SECONDS);
  }
}
