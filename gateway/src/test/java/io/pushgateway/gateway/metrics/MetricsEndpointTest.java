package io.pushgateway.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pushgateway.gateway.Gateway;
import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.testing.Eventually;
import io.pushgateway.gateway.testing.Scrape;
import io.pushgateway.gateway.testing.StreamClient;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The scrape endpoint itself: Vert.x, JVM and process meters beside the gateway's, labels that
 * stay bounded whatever topics and paths clients use, the optional metrics port, the history
 * gauges, and an embedded gateway on a plain {@code Vertx}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricsEndpointTest {

  private static final Pattern TYPE = Pattern.compile("^# TYPE (\\S+) (\\S+)$", Pattern.MULTILINE);

  private Vertx vertx;
  private HttpClient http;

  @AfterEach
  void stop() throws Exception {
    if (vertx != null) {
      vertx.close().await(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void vertxJvmAndProcessMetersShareTheScrapeWithBoundedLabels() throws Exception {
    Gateway gateway = startWithVertxMeters(GatewayConfig.defaults().with("port", 0).with("host", "127.0.0.1"));
    int port = gateway.port();
    traffic(port, "a");
    // Keep the client referenced: Vert.x closes a client that becomes unreachable.
    WebSocketClient wsClient = vertx.createWebSocketClient();
    ClientWebSocket ws = wsClient.webSocket();
    ws.connect(port, "127.0.0.1", "/ws?topics=card.ws&cursor=card.ws:0").await(10, TimeUnit.SECONDS);
    Scrape first = Scrape.of(vertx, http, port);
    traffic(port, "b");
    Scrape second = Scrape.of(vertx, http, port);

    // New topics, paths and query strings add no series: labels are method and code only.
    assertThat(seriesOf(second, "vertx_")).isEqualTo(seriesOf(first, "vertx_"));
    assertThat(seriesOf(second, "pushgateway_")).isEqualTo(seriesOf(first, "pushgateway_"));
    for (String key : second.series.keySet()) {
      String name = Scrape.name(key);
      if (name.startsWith("vertx_http_server")) {
        assertThat(Scrape.labelNames(key)).as(key).isSubsetOf("method", "code");
      }
      if (name.startsWith("pushgateway_")) {
        assertThat(Scrape.labelNames(key)).as(key).isSubsetOf("transport", "result", "code", "kind", "le");
      }
      assertThat(Scrape.labelNames(key)).as(key).doesNotContain("path", "route", "address", "topic");
    }
    assertThat(second.value("vertx_http_server_requests_total", "code", "201", "method", "POST"))
      .isGreaterThanOrEqualTo(40);
    assertThat(second.value("vertx_http_server_requests_total", "code", "101", "method", "GET"))
      .isGreaterThanOrEqualTo(3);
    // The rounds' own WebSockets and SSE streams close asynchronously; the WebSocket left open is
    // counted, and Vert.x hears of the others' end although it no longer handles them after their
    // heads, and counts their requests as ended.
    Eventually.check(vertx, () -> {
      Scrape now = Scrape.of(vertx, http, port);
      assertThat(now.value("pushgateway_connections", "transport", "ws")).isEqualTo(1);
      assertThat(now.value("pushgateway_connections", "transport", "sse")).isEqualTo(0);
      // 40 WebSockets and 40 SSE streams came and went: what is left is this one and the client's
      // pooled connections.
      assertThat(now.value("vertx_http_server_active_connections")).isBetween(2.0, 10.0);
      assertThat(now.value("vertx_http_server_active_requests", "method", "GET")).isEqualTo(1); // this scrape
    });
    assertThat(second.series.keySet()).anyMatch(k -> k.startsWith("vertx_eventbus_processed_total"));
    for (String jvm : List.of("jvm_memory_used_bytes", "jvm_gc_max_data_size_bytes", "jvm_threads_live_threads",
      "jvm_classes_loaded_classes", "process_uptime_seconds", "process_cpu_seconds_total", "process_cpu_usage",
      "process_files_open_files", "system_cpu_cores")) {
      assertThat(second.series.keySet()).as(jvm).anyMatch(k -> Scrape.name(k).equals(jvm));
    }
    assertThat(second.value("pushgateway_ready")).isEqualTo(1);
    ws.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void namesFollowThePrometheusConventions() throws Exception {
    Gateway gateway = startWithVertxMeters(GatewayConfig.defaults().with("port", 0).with("host", "127.0.0.1"));
    Scrape scrape = Scrape.of(vertx, http, gateway.port());
    Matcher types = TYPE.matcher(scrape.text);
    Set<String> gatewayMeters = new TreeSet<>();
    while (types.find()) {
      String name = types.group(1);
      String type = types.group(2);
      if (type.equals("counter")) {
        assertThat(name).as("counter %s", name).endsWith("_total");
      }
      if (name.startsWith("pushgateway_")) {
        gatewayMeters.add(name + " " + type);
      }
    }
    assertThat(gatewayMeters).containsExactly(
      "pushgateway_cluster_append_batches_total counter",
      "pushgateway_cluster_backups_in_sync gauge",
      "pushgateway_cluster_members gauge",
      "pushgateway_connections gauge",
      "pushgateway_deliveries_total counter",
      "pushgateway_delivery_latency_seconds histogram",
      "pushgateway_delivery_latency_seconds_max gauge",
      "pushgateway_events_published_total counter",
      "pushgateway_history_events gauge",
      "pushgateway_history_topics gauge",
      "pushgateway_long_poll_shortcuts_total counter",
      "pushgateway_polls_total counter",
      "pushgateway_presence_changes_total counter",
      "pushgateway_presence_occupants gauge",
      "pushgateway_published_bytes_total counter",
      "pushgateway_publishes_repeated_total counter",
      "pushgateway_ready gauge",
      "pushgateway_receiving_bytes gauge",
      "pushgateway_rejected_requests_total counter",
      "pushgateway_resets_total counter",
      "pushgateway_revocations gauge",
      "pushgateway_slow_consumer_closes_total counter",
      "pushgateway_subscriptions gauge",
      "pushgateway_written_bytes_total counter");
    // The SLO buckets operators write alerts against are there exactly.
    for (String le : List.of("0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0")) {
      assertThat(scrape.has("pushgateway_delivery_latency_seconds_bucket", "transport", "ws", "le", le)).as(le).isTrue();
    }
  }

  @Test
  void metricsPortServesTheScrapeAloneAndHistoryGaugesCount() throws Exception {
    int metricsPort = freePort();
    Gateway gateway = startWithVertxMeters(GatewayConfig.defaults().with("port", 0).with("host", "127.0.0.1")
      .with("metricsPort", metricsPort).with("historySize", 20));
    int status = http.request(HttpMethod.GET, gateway.port(), "127.0.0.1", "/metrics")
      .compose(HttpClientRequest::send)
      .map(r -> r.statusCode())
      .await(10, TimeUnit.SECONDS);
    assertThat(status).isEqualTo(404);
    publish(gateway.port(), "h.a", 25);
    publish(gateway.port(), "h.b", 2);

    Scrape scrape = Scrape.of(vertx, http, metricsPort);
    assertThat(scrape.value("pushgateway_events_published_total")).isEqualTo(27);
    assertThat(scrape.value("pushgateway_history_events")).isEqualTo(20 + 2);
    assertThat(scrape.value("pushgateway_history_topics")).isEqualTo(2);
    assertThat(scrape.value("pushgateway_cluster_append_batches_total")).as("a single node sends no appends away")
      .isZero();
    assertThat(scrape.value("pushgateway_cluster_members")).as("a single node is its own cluster").isEqualTo(1);
    assertThat(scrape.value("pushgateway_cluster_backups_in_sync")).as("a single node waits for no copies").isEqualTo(1);
    assertThat(scrape.series.keySet()).anyMatch(k -> k.startsWith("vertx_http_server_requests_total"));
  }

  @Test
  void anEmbeddedGatewayOnAPlainVertxHasGatewayAndJvmMeters() throws Exception {
    vertx = Vertx.vertx();
    http = vertx.createHttpClient();
    Gateway gateway = Gateway.deploy(vertx, GatewayConfig.defaults().with("port", 0).with("host", "127.0.0.1"))
      .await(20, TimeUnit.SECONDS);
    publish(gateway.port(), "plain", 1);
    Scrape scrape = Scrape.of(vertx, http, gateway.port());
    assertThat(scrape.value("pushgateway_events_published_total")).isEqualTo(1);
    assertThat(scrape.series.keySet()).anyMatch(k -> k.startsWith("jvm_memory_used_bytes"));
    assertThat(scrape.series.keySet()).noneMatch(k -> k.startsWith("vertx_"));
  }

  private Gateway startWithVertxMeters(GatewayConfig config) throws Exception {
    PrometheusMeterRegistry registry = GatewayMetrics.newRegistry();
    vertx = VertxMeters.builder(new VertxOptions(), registry).build();
    http = vertx.createHttpClient();
    return Gateway.deploy(vertx, config, new GatewayMetrics(registry)).await(20, TimeUnit.SECONDS);
  }

  /** Requests naming 20 fresh topics on every kind of endpoint. */
  private void traffic(int port, String round) throws Exception {
    Context context = vertx.getOrCreateContext();
    WebSocketClient wsClient = vertx.createWebSocketClient();
    for (int i = 0; i < 20; i++) {
      String topic = "card." + round + i;
      publish(port, topic, 1);
      // Sent from one Vert.x context, as every test client here: requests made from the test
      // thread itself can lose their response under load.
      StreamClient.onContext(context, () -> {
        List<Future<?>> requests = new ArrayList<>();
        for (String uri : List.of("/api/topics/" + topic, "/poll?topics=" + topic + "&cursor=" + topic + ":0",
          "/poll/long?topics=" + topic + "&cursor=" + topic + ":0", "/no/such/" + topic)) {
          requests.add(http.request(HttpMethod.GET, port, "127.0.0.1", uri)
            .compose(HttpClientRequest::send)
            .compose(r -> r.body()));
        }
        return Future.all(requests);
      }).await(10, TimeUnit.SECONDS);
      ClientWebSocket ws = wsClient.webSocket();
      StreamClient.onContext(context, () -> ws.connect(port, "127.0.0.1", "/ws?topics=" + topic))
        .await(10, TimeUnit.SECONDS);
      StreamClient.onContext(context, ws::close).await(10, TimeUnit.SECONDS);
      // an SSE stream that opens and goes: its request is answered, its connection closed
      StreamClient.onContext(context, () -> http.request(HttpMethod.GET, port, "127.0.0.1", "/sse?topics=" + topic)
        .compose(HttpClientRequest::send)
        .compose(r -> r.request().connection().close())).await(10, TimeUnit.SECONDS);
    }
  }

  private static Set<String> seriesOf(Scrape scrape, String prefix) {
    Set<String> names = new TreeSet<>();
    scrape.series.keySet().stream().filter(k -> k.startsWith(prefix)).forEach(names::add);
    return names;
  }

  private void publish(int port, String topic, int count) throws Exception {
    for (int i = 0; i < count; i++) {
      String body = "{\"n\":" + i + "}";
      int status = http.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
          .setURI("/api/topics/" + topic + "/events").putHeader("Content-Type", "application/json"))
        .compose(r -> r.send(body))
        .map(r -> r.statusCode())
        .await(10, TimeUnit.SECONDS);
      assertThat(status).isEqualTo(201);
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
