package io.pushgateway.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.Gateway;
import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.testing.Eventually;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What one delivery allocates on the fan-out's event loop, per write path: the event loop
 * thread's allocated bytes (the JVM counts them per thread) over a fixed number of deliveries,
 * once with N subscribers and once with 2N, so the per-event work (append, encoding, the bus)
 * cancels out. Counted work, not a rate: a busy machine changes nothing but the waiting.
 *
 * <p>The raw-channel path writes a view of bytes built once per event, so a delivery allocates
 * far less than the event's size; a path that copied or re-encoded per subscriber would allocate
 * at least that. The public-API path is measured and reported, not bounded: Vert.x encodes each
 * frame from the event's text (docs/performance.md).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WriteAllocationTest {

  /** Larger runs for docs/results: {@code -Dalloc.subscribers=5000 -Dalloc.events=20}. */
  private static final int SUBSCRIBERS = Integer.getInteger("alloc.subscribers", 200);
  private static final int EVENTS = Integer.getInteger("alloc.events", 200);
  /** A payload well above a view's size, so any per-delivery copy shows. */
  private static final String DATA = "\"" + "x".repeat(1024) + "\"";

  @ParameterizedTest(name = "{0} on {1}")
  @CsvSource({"ws, netty", "sse, netty", "ws, vertx", "sse, vertx"})
  void aDeliveryAllocatesLessThanTheEventOnTheRawPath(String transport, String writePath) throws Exception {
    Vertx server = Vertx.builder().with(new VertxOptions().setEventLoopPoolSize(1).setPreferNativeTransport(true))
      .build();
    Vertx clients = Vertx.vertx();
    try {
      GatewayConfig config = GatewayConfig.fromJson(new JsonObject().put("host", "127.0.0.1").put("port", 0)
        .put("instances", 1).put("historySize", 4 * EVENTS).put("writePath", writePath));
      Gateway gateway = Gateway.deploy(server, config).await(20, TimeUnit.SECONDS);
      long loop = eventLoopThread(server);
      Fixture fixture = new Fixture(gateway, clients, transport);
      fixture.allocated(SUBSCRIBERS, loop); // warm-up: the JIT compiles the fan-out first
      long single = fixture.allocated(SUBSCRIBERS, loop);
      long doubled = fixture.allocated(2 * SUBSCRIBERS, loop);
      double perDelivery = (double) (doubled - single) / ((long) SUBSCRIBERS * EVENTS);
      System.out.printf("write path %s, %s: %.1f B per delivery (%d subscribers: %.1f B per delivery in all)%n",
        writePath, transport, perDelivery, 2 * SUBSCRIBERS, (double) doubled / (2L * SUBSCRIBERS * EVENTS));
      if (writePath.equals(GatewayConfig.WRITE_PATH_NETTY)) {
        assertThat(perDelivery).as("bytes allocated per delivery").isLessThan(DATA.length() / 4.0);
      }
    } finally {
      clients.close().await(20, TimeUnit.SECONDS);
      server.close().await(20, TimeUnit.SECONDS);
    }
  }

  /** The id of the server's one event loop thread. */
  private static long eventLoopThread(Vertx server) throws Exception {
    CompletableFuture<Long> id = new CompletableFuture<>();
    server.runOnContext(v -> id.complete(Thread.currentThread().getId()));
    return id.get(10, TimeUnit.SECONDS);
  }

  private static long allocatedBytes(long thread) {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getThreadAllocatedBytes(thread);
  }

  /** Subscribers of one transport on a fresh topic each round, counting what they receive. */
  private static final class Fixture {
    private final Gateway gateway;
    private final Vertx clients;
    private final String transport;
    private final WebSocketClient ws;
    private final HttpClient http;
    private int round;

    Fixture(Gateway gateway, Vertx clients, String transport) {
      this.gateway = gateway;
      this.clients = clients;
      this.transport = transport;
      // one client connection per subscriber, as browsers hold them
      this.ws = clients.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(10_000));
      this.http = clients.createHttpClient(new HttpClientOptions(), new PoolOptions().setHttp1MaxSize(10_000));
    }

    /** Bytes the loop allocated while {@code subscribers} received {@link #EVENTS} events. */
    long allocated(int subscribers, long loop) throws Exception {
      String topic = "alloc-" + transport + "-" + round++;
      AtomicLong received = new AtomicLong();
      List<Runnable> closers = new ArrayList<>();
      for (int i = 0; i < subscribers; i++) {
        closers.add(subscribe(topic, received).await(20, TimeUnit.SECONDS));
      }
      // A first event that every subscriber receives: from then on they all follow live.
      gateway.log().append(topic, DATA).await(10, TimeUnit.SECONDS);
      Eventually.check(clients, () -> assertThat(received.get()).isEqualTo(subscribers));
      received.set(0);
      long before = allocatedBytes(loop);
      for (int n = 0; n < EVENTS; n++) {
        gateway.log().append(topic, DATA).await(10, TimeUnit.SECONDS);
      }
      Eventually.check(clients, () -> assertThat(received.get()).isEqualTo((long) subscribers * EVENTS));
      long allocated = allocatedBytes(loop) - before;
      closers.forEach(Runnable::run);
      return allocated;
    }

    /** Counts events: WebSocket frames carrying data, or SSE {@code data:} lines. */
    private Future<Runnable> subscribe(String topic, AtomicLong received) {
      String query = "?topics=" + topic + "&cursor=" + topic + ":0";
      if (transport.equals("ws")) {
        return ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port())
            .setURI("/ws" + query))
          .map(socket -> {
            socket.textMessageHandler(text -> {
              if (text.startsWith("{\"topic\"")) {
                received.incrementAndGet();
              }
            });
            return () -> socket.close();
          });
      }
      RequestOptions get = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
        .setPort(gateway.port()).setURI("/sse" + query);
      return http.request(get).compose(request -> request.send()).map((HttpClientResponse response) -> {
        StringBuilder tail = new StringBuilder();
        response.handler(chunk -> {
          // a data: line split between two reads is counted once, where it completes
          String text = tail + chunk.toString();
          received.addAndGet(count(text));
          tail.setLength(0);
          tail.append(text, Math.max(0, text.length() - 6), text.length());
        });
        return () -> response.request().connection().close();
      });
    }

    /** SSE events whose {@code data:} line starts in this chunk (the gateway writes each event whole). */
    private static long count(String chunk) {
      long n = 0;
      for (int i = chunk.indexOf("data: {"); i >= 0; i = chunk.indexOf("data: {", i + 1)) {
        n++;
      }
      return n;
    }
  }
}
