package io.pushgateway.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.Gateway;
import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.testing.Scrape;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A WebSocket client that stops reading: once the kernel's buffers are full the gateway's write
 * queue passes {@code maxQueueBytes}, the connection is closed with 1013 and counted once.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SlowConsumerMetricsTest {

  /** Enough to fill loopback socket buffers (a few MB each way) many times over. */
  private static final int MAX_EVENTS = 600;

  private Vertx vertx;

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(20, TimeUnit.SECONDS);
  }

  @Test
  void aStalledWebSocketIsClosedAndCountedOnce() throws Exception {
    vertx = Vertx.vertx();
    Gateway gateway = Gateway.deploy(vertx, GatewayConfig.defaults().with("port", 0).with("host", "127.0.0.1")
      .with("maxQueueBytes", 1024).with("instances", 1)).await(20, TimeUnit.SECONDS);
    HttpClient http = vertx.createHttpClient();
    Promise<Void> subscribed = Promise.promise();
    Promise<Short> closed = Promise.promise();
    // Keep the client referenced: Vert.x closes a client that becomes unreachable. A small
    // receive buffer makes the kernel stop accepting bytes early, so few events fill the queue.
    WebSocketClient wsClient = vertx.createWebSocketClient(new WebSocketClientOptions().setReceiveBufferSize(8192));
    ClientWebSocket ws = wsClient.webSocket();
    ws.textMessageHandler(text -> {
      if (text.startsWith("{\"op\":\"subscribed\"")) {
        subscribed.tryComplete();
      }
    });
    ws.closeHandler(v -> closed.tryComplete(ws.closeStatusCode()));
    ws.connect(gateway.port(), "127.0.0.1", "/ws?topics=slow").await(10, TimeUnit.SECONDS);
    subscribed.future().await(10, TimeUnit.SECONDS);
    Scrape before = Scrape.of(vertx, http, gateway.port());
    ws.pause();

    String data = new JsonObject().put("pad", "x".repeat(60_000)).encode();
    int published = 0;
    while (published < MAX_EVENTS
      && Scrape.of(vertx, http, gateway.port()).value("pushgateway_slow_consumer_closes_total", "transport", "ws") < 1) {
      for (int i = 0; i < 20; i++, published++) {
        int status = http.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
            .setPort(gateway.port()).setURI("/api/topics/slow/events").putHeader("Content-Type", "application/json"))
          .compose(r -> r.send(data))
          .map(r -> r.statusCode())
          .await(10, TimeUnit.SECONDS);
        assertThat(status).isEqualTo(201);
      }
    }
    ws.resume();
    assertThat(closed.future().await(30, TimeUnit.SECONDS)).isEqualTo((short) 1013);

    Scrape after = Scrape.of(vertx, http, gateway.port());
    assertThat(after.value("pushgateway_slow_consumer_closes_total", "transport", "ws")
      - before.value("pushgateway_slow_consumer_closes_total", "transport", "ws")).isEqualTo(1);
    assertThat(after.value("pushgateway_connections", "transport", "ws")).isZero();
    assertThat(after.value("pushgateway_subscriptions", "transport", "ws")).isZero();
  }
}
